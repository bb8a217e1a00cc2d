using Contacto.Platform;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Contacto.Storage;

/// <summary>Prepares the database before anything is served: WAL for SQLite, then migrations.</summary>
public sealed class StorageInitializer(
    IDbContextFactory<ContactoDbContext> contexts,
    IOptions<StorageOptions> options,
    ILogger<StorageInitializer> logger)
{
    /// <summary>At server start: migrate, or refuse to start while migrations are pending.</summary>
    public async Task InitializeAsync(CancellationToken cancellationToken)
    {
        await using var db = contexts.CreateDbContext();
        await PrepareConnectionAsync(db, cancellationToken);
        var pending = (await db.Database.GetPendingMigrationsAsync(cancellationToken)).ToList();
        if (pending.Count == 0)
            return;
        if (!options.Value.MigrateOnStart)
            throw new ConfigurationException("Storage:MigrateOnStart",
                $"{pending.Count} migration(s) pending ({string.Join(", ", pending)}); run 'contacto db migrate' or set it to true");
        await MigrateAsync(db, pending, cancellationToken);
    }

    /// <summary>Applies pending migrations; returns the names applied.</summary>
    public async Task<IReadOnlyList<string>> MigrateAsync(CancellationToken cancellationToken)
    {
        await using var db = contexts.CreateDbContext();
        await PrepareConnectionAsync(db, cancellationToken);
        var pending = (await db.Database.GetPendingMigrationsAsync(cancellationToken)).ToList();
        await MigrateAsync(db, pending, cancellationToken);
        return pending;
    }

    async Task MigrateAsync(ContactoDbContext db, IReadOnlyList<string> pending, CancellationToken cancellationToken)
    {
        if (pending.Count == 0)
            return;
        logger.LogInformation("Applying {Count} migration(s): {Migrations}", pending.Count, string.Join(", ", pending));
        // EF Core serialises concurrent migrators (a database lock), so several nodes may start at once.
        await db.Database.MigrateAsync(cancellationToken);
    }

    static async Task PrepareConnectionAsync(ContactoDbContext db, CancellationToken cancellationToken)
    {
        if (!db.Database.IsSqlite())
            return;
        // WAL lets readers proceed during writes; the setting persists in the database file.
        await db.Database.ExecuteSqlRawAsync("PRAGMA journal_mode=WAL;", cancellationToken);
    }
}
