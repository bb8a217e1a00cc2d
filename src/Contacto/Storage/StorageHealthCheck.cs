using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Contacto.Storage;

/// <summary>Ready when the database answers and every migration this build knows is applied.</summary>
sealed class StorageHealthCheck(IDbContextFactory<ContactoDbContext> contexts) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        try
        {
            await using var db = contexts.CreateDbContext();
            if (!await db.Database.CanConnectAsync(cancellationToken))
                return HealthCheckResult.Unhealthy("storage unreachable");
            var pending = (await db.Database.GetPendingMigrationsAsync(cancellationToken)).Count();
            return pending == 0
                ? HealthCheckResult.Healthy("storage reachable, migrations applied")
                : HealthCheckResult.Unhealthy($"{pending} migration(s) pending");
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // The exception text can carry connection details; report its kind only.
            return HealthCheckResult.Unhealthy($"storage unreachable ({e.GetType().Name})");
        }
    }
}
