using Contacto.Platform;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.Extensions.Options;

namespace Contacto.Storage;

/// <summary>
/// Builds contexts for the configured provider. The provider is chosen at run time from validated
/// options, so registration does not need to read configuration early. Contexts come from a pool:
/// building a context's internal services costs more than most queries run on it. Every rent sets
/// the tenant and the transaction behaviour again, so nothing of a context's last user carries over.
/// </summary>
public sealed class ContactoDbContextFactory : IDbContextFactory<ContactoDbContext>
{
    readonly Func<ContactoDbContext> create;
    readonly AutoTransactionBehavior autoTransactions;

    public ContactoDbContextFactory(IOptions<StorageOptions> options, DataDirectory dataDirectory)
    {
        var storage = options.Value;
        Provider = storage.Provider;
        ConnectionString = Provider == StorageProvider.Sqlite
            ? SqliteConnectionString(storage.ConnectionString, dataDirectory)
            : PostgresConnectionString(storage.ConnectionString!, storage.AllowUnencryptedPostgres);
        autoTransactions = Provider == StorageProvider.Sqlite ? AutoTransactionBehavior.Always : AutoTransactionBehavior.WhenNeeded;
        create = Provider switch
        {
            StorageProvider.PostgreSql => Pooled(new DbContextOptionsBuilder<PostgresContactoDbContext>()
                .UseNpgsql(ConnectionString, o => o.CommandTimeout(storage.CommandTimeoutSeconds)
                    .ConfigureDataSource(source => source.UseSslClientAuthenticationOptionsCallback(tls => tls.EnabledSslProtocols = Tls.TlsPolicy.Protocols))).Options),
            // One writer at a time, queued in-process; SaveChanges always in a transaction so the gate sees it.
            _ => Pooled(new DbContextOptionsBuilder<SqliteContactoDbContext>()
                .UseSqlite(ConnectionString, o => o.CommandTimeout(storage.CommandTimeoutSeconds))
                .AddInterceptors(new SqliteWriteGate(TimeSpan.FromSeconds(storage.CommandTimeoutSeconds)), new SqliteConnectionSetup(storage.SqliteCheckpointPages)).Options),
        };
    }

    public StorageProvider Provider { get; }

    internal string ConnectionString { get; }

    /// <summary>A system context: sees every account's rows. For workers and the CLI only.</summary>
    public ContactoDbContext CreateDbContext() => Rent(null);

    /// <summary>A context that sees and saves only <paramref name="accountId"/>'s rows.</summary>
    public ContactoDbContext CreateForAccount(Guid accountId) => Rent(accountId);

    ContactoDbContext Rent(Guid? tenant)
    {
        var db = create();
        db.TenantAccountId = tenant;
        db.Database.AutoTransactionBehavior = autoTransactions;
        return db;
    }

    static Func<ContactoDbContext> Pooled<T>(DbContextOptions<T> options) where T : ContactoDbContext =>
        new PooledDbContextFactory<T>(options, PoolSize).CreateDbContext;

    /// <summary>Contexts kept for reuse; more are made when all are out, and dropped on return.</summary>
    const int PoolSize = 1024;

    /// <summary>
    /// Statements are prepared on each connection once they repeat, unless the configured string
    /// says otherwise: the dispatcher and receipt recorder run the same few statements thousands of
    /// times a minute, and need not have each parsed anew. (The fifth of PostgreSQL's time a profile
    /// showed in parsing and planning was mostly multi-row INSERTs, which <see cref="BulkInsert"/>
    /// now sends as COPY.)
    /// </summary>
    /// <remarks>
    /// A server on another host is asked for TLS with a verified certificate unless the string
    /// names an SSL mode (a weaker one was refused at start unless allowed on purpose).
    /// </remarks>
    static string PostgresConnectionString(string configured, bool allowUnencrypted)
    {
        // Npgsql's own builder reports every keyword it knows as present; the plain one tells what was written.
        var written = new System.Data.Common.DbConnectionStringBuilder { ConnectionString = configured };
        var builder = new Npgsql.NpgsqlConnectionStringBuilder(configured);
        if (!written.ContainsKey("Max Auto Prepare") && !written.ContainsKey("MaxAutoPrepare"))
            builder.MaxAutoPrepare = 64;
        if (!allowUnencrypted && StorageOptions.WrittenSslMode(configured) is null && StorageOptions.ReachesAnotherHost(configured))
            builder.SslMode = Npgsql.SslMode.VerifyFull;
        return builder.ToString();
    }

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
