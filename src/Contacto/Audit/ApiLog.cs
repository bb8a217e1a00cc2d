using System.ComponentModel.DataAnnotations.Schema;
using System.Diagnostics;
using System.Security.Claims;
using System.Text;
using Contacto.Api;
using Contacto.Crypto;
using Contacto.Storage;
using Contacto.Tenancy;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Contacto.Audit;

/// <summary>
/// One API request as its account can read it back: method, route, status, latency, api_id,
/// source address and Auth ID. The route is the endpoint's template
/// (<c>/v1/Account/{auth_id}/Number/{number}/</c>), never the path: a path holds numbers and other
/// customer values. Where the template has values of its own, the path itself is kept sealed
/// with the account's key (<see cref="PathSealed"/>); never the query string. Requests that never
/// authenticated belong to the platform (the empty account) and keep only their route, if any.
/// </summary>
internal sealed class ApiLogRecord : ITenantOwned
{
    public const string PathPurpose = "api_log.path";

    public Guid Id { get; set; }
    public Guid AccountId { get; set; }
    public DateTimeOffset At { get; set; }
    public string Method { get; set; } = "";

    /// <summary>The endpoint's route template; null when no endpoint matched.</summary>
    public string? Route { get; set; }

    /// <summary>The request path, sealed with the account's key (purpose <see cref="PathPurpose"/>).</summary>
    public byte[]? PathSealed { get; set; }

    /// <summary>The path to seal, in memory only until the writer seals it.</summary>
    [NotMapped]
    public string? PathToSeal { get; set; }

    public int Status { get; set; }
    public double LatencyMs { get; set; }
    public string ApiId { get; set; } = "";
    public string? SourceAddress { get; set; }
    public string? AuthId { get; set; }
}

sealed class ApiLogRecordConfiguration : IEntityTypeConfiguration<ApiLogRecord>
{
    public void Configure(EntityTypeBuilder<ApiLogRecord> builder)
    {
        builder.ToTable("api_log");
        builder.HasKey(r => r.Id);
        builder.HasIndex(r => new { r.AccountId, r.At });
        builder.HasIndex(r => r.At);
        builder.Property(r => r.At).HasConversion(UnixMilliseconds.Converter);
        builder.Property(r => r.Method).HasMaxLength(16);
        builder.Property(r => r.Route).HasMaxLength(256);
        builder.Ignore(r => r.PathToSeal);
        builder.Property(r => r.ApiId).HasMaxLength(64);
        builder.Property(r => r.SourceAddress).HasMaxLength(64);
        builder.Property(r => r.AuthId).HasMaxLength(20);
    }
}

/// <summary>Writes API log records in batches, off the request path, sealing their paths first.</summary>
internal sealed class ApiLogWriter : IAsyncDisposable
{
    readonly IDbContextFactory<ContactoDbContext> contexts;
    readonly ITenantCrypto crypto;
    readonly GroupCommit<ApiLogRecord> group;

    public ApiLogWriter(IDbContextFactory<ContactoDbContext> contexts, ITenantCrypto crypto, ILogger<ApiLogWriter> logger)
    {
        this.contexts = contexts;
        this.crypto = crypto;
        group = new GroupCommit<ApiLogRecord>(CommitAsync, logger, maxBatch: 2000);
    }

    /// <summary>Completes when written; the middleware does not wait for it.</summary>
    public Task WriteAsync(ApiLogRecord record) => group.WriteAsync(record);

    async Task CommitAsync(IReadOnlyList<ApiLogRecord> records)
    {
        foreach (var account in records.Where(r => r.PathToSeal is not null).GroupBy(r => r.AccountId))
        {
            try
            {
                using var keys = await crypto.LeaseKeysAsync(account.Key);
                foreach (var record in account)
                    record.PathSealed = keys.Seal(ApiLogRecord.PathPurpose, record.Id, Encoding.UTF8.GetBytes(record.PathToSeal!));
            }
            catch (TenantKeyUnavailableException)
            {
                // An account whose keys are going or gone keeps its route only.
            }
        }
        // Every request writes one: multi-row inserts, no change tracking.
        await using var db = contexts.CreateDbContext();
        await using var transaction = await db.Database.BeginTransactionAsync();
        await BulkInsert.InsertAsync(db, records, CancellationToken.None);
        await transaction.CommitAsync();
    }

    public ValueTask DisposeAsync() => group.DisposeAsync();
}

public static class ApiLogMiddleware
{
    /// <summary>Logs every request under /v1/ once its response is complete.</summary>
    public static IApplicationBuilder UseApiLog(this IApplicationBuilder app) => app.Use(async (context, next) =>
    {
        if (!context.Request.Path.StartsWithSegments("/v1"))
        {
            await next(context);
            return;
        }
        var started = Stopwatch.GetTimestamp();
        try
        {
            await next(context);
        }
        finally
        {
            var writer = context.RequestServices.GetService(typeof(ApiLogWriter)) as ApiLogWriter;
            var time = (TimeProvider)context.RequestServices.GetService(typeof(TimeProvider))!;
            // The principal the account API's authentication made: the account's id and Auth ID.
            var user = context.User.Identity is { IsAuthenticated: true } ? context.User : null;
            var route = (context.GetEndpoint() as RouteEndpoint)?.RoutePattern;
            _ = writer?.WriteAsync(new ApiLogRecord
            {
                Id = Guid.CreateVersion7(),
                AccountId = Guid.TryParse(user?.FindFirstValue(ClaimTypes.NameIdentifier), out var accountId) ? accountId : Guid.Empty,
                At = time.GetUtcNow(),
                // Kestrel takes any token as a method: a long one would fail the whole batch on PostgreSQL's varchar(16).
                Method = AuditText.Clip(context.Request.Method, 16)!,
                Route = AuditText.Clip(route?.RawText, 256),
                PathToSeal = user is not null && route?.Parameters.Any(p => p.Name != "auth_id") == true
                    ? AuditText.Clip(context.Request.Path.Value, 512) : null,
                Status = context.Response.StatusCode,
                LatencyMs = Stopwatch.GetElapsedTime(started).TotalMilliseconds,
                ApiId = ApiResults.ApiId(context),
                SourceAddress = AuditText.Address(context.Connection.RemoteIpAddress),
                AuthId = user?.Identity?.Name,
            });
        }
    });
}

/// <summary>Deletes API log records older than <see cref="AuditOptions.ApiLogRetention"/>, hourly.</summary>
internal sealed partial class ApiLogRetentionService(
    IDbContextFactory<ContactoDbContext> contexts,
    IOptions<AuditOptions> options,
    TimeProvider time,
    ILogger<ApiLogRetentionService> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromHours(1), time);
        do
        {
            try
            {
                await PruneAsync(stoppingToken);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                LogPruneFailed(logger, e);
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken));
    }

    /// <summary>Returns how many records it deleted.</summary>
    public async Task<int> PruneAsync(CancellationToken cancellationToken)
    {
        var cutoff = time.GetUtcNow() - options.Value.ApiLogRetention;
        await using var db = contexts.CreateDbContext();
        return await db.Set<ApiLogRecord>().Where(r => r.At < cutoff).ExecuteDeleteAsync(cancellationToken);
    }

    [LoggerMessage(EventId = 803, Level = LogLevel.Error, Message = "Pruning the API log failed; trying again in an hour")]
    static partial void LogPruneFailed(ILogger logger, Exception exception);
}
