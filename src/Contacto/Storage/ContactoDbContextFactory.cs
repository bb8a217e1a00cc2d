using Contacto.Platform;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Contacto.Storage;

/// <summary>
/// Builds contexts for the configured provider. The provider is chosen at run time from validated
/// options, so registration does not need to read configuration early.
/// </summary>
public sealed class ContactoDbContextFactory : IDbContextFactory<ContactoDbContext>
{
    readonly Func<ContactoDbContext> create;

    public ContactoDbContextFactory(IOptions<StorageOptions> options, DataDirectory dataDirectory)
    {
        var storage = options.Value;
        Provider = storage.Provider;
        ConnectionString = Provider == StorageProvider.Sqlite
            ? SqliteConnectionString(storage.ConnectionString, dataDirectory)
            : storage.ConnectionString!;
        create = Provider switch
        {
            StorageProvider.PostgreSql => CreateWith(new DbContextOptionsBuilder<PostgresContactoDbContext>()
                .UseNpgsql(ConnectionString, o => o.CommandTimeout(storage.CommandTimeoutSeconds)).Options,
                o => new PostgresContactoDbContext(o)),
            _ => CreateWith(new DbContextOptionsBuilder<SqliteContactoDbContext>()
                .UseSqlite(ConnectionString, o => o.CommandTimeout(storage.CommandTimeoutSeconds))
                // One writer at a time, queued in-process; SaveChanges always in a transaction so the gate sees it.
                .AddInterceptors(new SqliteWriteGate(TimeSpan.FromSeconds(storage.CommandTimeoutSeconds))).Options,
                o => new SqliteContactoDbContext(o) { Database = { AutoTransactionBehavior = AutoTransactionBehavior.Always } }),
        };
    }

    public StorageProvider Provider { get; }

    internal string ConnectionString { get; }

    /// <summary>A system context: sees every account's rows. For workers and the CLI only.</summary>
    public ContactoDbContext CreateDbContext() => create();

    /// <summary>A context that sees and saves only <paramref name="accountId"/>'s rows.</summary>
    public ContactoDbContext CreateForAccount(Guid accountId)
    {
        var db = create();
        db.TenantAccountId = accountId;
        return db;
    }

    static Func<ContactoDbContext> CreateWith<T>(DbContextOptions<T> options, Func<DbContextOptions<T>, ContactoDbContext> construct)
        where T : ContactoDbContext => () => construct(options);

    /// <summary>Foreign keys are always on, whatever the configured string says.</summary>
    static string SqliteConnectionString(string? configured, DataDirectory dataDirectory)
    {
        var builder = configured is null
            ? new Microsoft.Data.Sqlite.SqliteConnectionStringBuilder { DataSource = Path.Combine(dataDirectory.Ensure(), "contacto.db") }
            : new Microsoft.Data.Sqlite.SqliteConnectionStringBuilder(configured);
        builder.ForeignKeys = true;
        builder.Pooling = true;
        return builder.ToString();
    }
}
