using Contacto.Platform;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Contacto.Storage;

/// <summary>Prepares the database before anything is served: WAL for SQLite, then migrations.</summary>
public sealed partial class StorageInitializer(
    IDbContextFactory<ContactoDbContext> contexts,
    IOptions<StorageOptions> options,
    IEnumerable<IStorageStartupTask> startupTasks,
    ILogger<StorageInitializer> logger)
{
    /// <summary>At server start: migrate, or refuse to start while migrations are pending.</summary>
    public async Task InitializeAsync(CancellationToken cancellationToken)
    {
        await using var db = contexts.CreateDbContext();
        await PrepareConnectionAsync(db, cancellationToken);
        var pending = (await db.Database.GetPendingMigrationsAsync(cancellationToken)).ToList();
        if (pending.Count > 0 && !options.Value.MigrateOnStart)
            throw new ConfigurationException("Storage:MigrateOnStart",
                $"{pending.Count} migration(s) pending ({Names(pending)}); run 'contacto db migrate' or set it to true");
        await MigrateAsync(db, pending, cancellationToken);
        await RunStartupTasksAsync(cancellationToken);
    }

    /// <summary>Applies pending migrations; returns the names applied.</summary>
    public async Task<IReadOnlyList<string>> MigrateAsync(CancellationToken cancellationToken)
    {
        await using var db = contexts.CreateDbContext();
        await PrepareConnectionAsync(db, cancellationToken);
        var pending = (await db.Database.GetPendingMigrationsAsync(cancellationToken)).ToList();
        await MigrateAsync(db, pending, cancellationToken);
        await RunStartupTasksAsync(cancellationToken);
        return pending;
    }

    async Task RunStartupTasksAsync(CancellationToken cancellationToken)
    {
        foreach (var task in startupTasks)
            await task.RunAsync(cancellationToken);
    }

    async Task MigrateAsync(ContactoDbContext db, IReadOnlyList<string> pending, CancellationToken cancellationToken)
    {
        if (pending.Count == 0)
            return;
        LogMigrating(pending.Count, Names(pending));
        // EF Core serialises concurrent migrators (a database lock), so several nodes may start at once.
        await db.Database.MigrateAsync(cancellationToken);
    }

    /// <summary>
    /// Migrations by name, without their timestamps: a 14-digit stamp reads as a card number to the
    /// log redactor, and a stamp joined to a long name as a token, which would hide them in the log.
    /// </summary>
    static string Names(IEnumerable<string> migrations) => string.Join(", ", migrations.Select(id => id[(id.IndexOf('_') + 1)..]));

    static async Task PrepareConnectionAsync(ContactoDbContext db, CancellationToken cancellationToken)
    {
        if (!db.Database.IsSqlite())
            return;
        // WAL lets readers proceed during writes; the setting persists in the database file.
        await db.Database.ExecuteSqlRawAsync("PRAGMA journal_mode=WAL;", cancellationToken);
    }

    [LoggerMessage(EventId = 201, Level = LogLevel.Information, Message = "Applying {Count} migration(s): {Migrations}")]
    partial void LogMigrating(int count, string migrations);
}
