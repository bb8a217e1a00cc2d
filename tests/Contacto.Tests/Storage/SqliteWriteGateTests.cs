using Contacto.Audit;
using Contacto.Platform;
using Contacto.Storage;
using Contacto.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Contacto.Tests.Storage;

/// <summary>SQLite writers of one process queue for their turn instead of sleeping on the database lock.</summary>
public sealed class SqliteWriteGateTests : IAsyncLifetime
{
    readonly TempDirectory directory = new();
    ContactoDbContextFactory factory = null!;

    public async Task InitializeAsync()
    {
        factory = new ContactoDbContextFactory(
            Options.Create(new StorageOptions { Provider = StorageProvider.Sqlite, CommandTimeoutSeconds = 2 }),
            new DataDirectory(Options.Create(new PlatformOptions { DataDir = directory.Combine("data") })));
        await using var db = factory.CreateDbContext();
        await db.Database.ExecuteSqlRawAsync("PRAGMA journal_mode=WAL;");
        await db.Database.ExecuteSqlRawAsync("CREATE TABLE t (x INTEGER)");
    }

    [Fact]
    public async Task A_second_transaction_waits_without_holding_a_thread_and_begins_once_the_first_commits()
    {
        await using var a = factory.CreateDbContext();
        await using var b = factory.CreateDbContext();
        var first = await a.Database.BeginTransactionAsync();
        await a.Database.ExecuteSqlRawAsync("INSERT INTO t VALUES (1)");

        var begin = b.Database.BeginTransactionAsync();
        Assert.False(begin.IsCompleted);

        await first.CommitAsync();
        await using var second = await begin.WaitAsync(TimeSpan.FromSeconds(10));
        await b.Database.ExecuteSqlRawAsync("INSERT INTO t VALUES (2)");
        await second.CommitAsync();
        Assert.Equal([1, 2], await Rows());
    }

    [Fact]
    public async Task A_transaction_dropped_without_commit_gives_the_turn_back_and_writes_nothing()
    {
        await using (var a = factory.CreateDbContext())
        {
            await using var abandoned = await a.Database.BeginTransactionAsync();
            await a.Database.ExecuteSqlRawAsync("INSERT INTO t VALUES (1)");
        }

        await using var b = factory.CreateDbContext();
        await using var next = await b.Database.BeginTransactionAsync().WaitAsync(TimeSpan.FromSeconds(10));
        await b.Database.ExecuteSqlRawAsync("INSERT INTO t VALUES (2)");
        await next.CommitAsync();
        Assert.Equal([2], await Rows());
    }

    [Fact]
    public async Task A_statement_outside_a_transaction_waits_its_turn_while_reads_go_on()
    {
        await using var a = factory.CreateDbContext();
        await using var b = factory.CreateDbContext();
        var first = await a.Database.BeginTransactionAsync();
        await a.Database.ExecuteSqlRawAsync("INSERT INTO t VALUES (1)");

        var write = b.Database.ExecuteSqlRawAsync("INSERT INTO t VALUES (2)");
        Assert.False(write.IsCompleted);
        Assert.Empty(await Rows()); // a reader sees the last commit, beside the writer

        await first.CommitAsync();
        await write.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal([1, 2], await Rows());
    }

    [Fact]
    public async Task A_writer_that_gets_no_turn_within_the_command_timeout_fails_and_writes_nothing()
    {
        await using var a = factory.CreateDbContext();
        await using var b = factory.CreateDbContext();
        await using var holding = await a.Database.BeginTransactionAsync();

        await Assert.ThrowsAsync<TimeoutException>(() => b.Database.ExecuteSqlRawAsync("INSERT INTO t VALUES (2)"));
        await holding.RollbackAsync();
        Assert.Empty(await Rows());
    }

    [Fact]
    public async Task SaveChanges_of_a_single_row_waits_its_turn_too()
    {
        await using (var schema = factory.CreateDbContext())
            await schema.Database.MigrateAsync();
        await using var a = factory.CreateDbContext();
        await using var b = factory.CreateDbContext();
        var first = await a.Database.BeginTransactionAsync();
        await a.Database.ExecuteSqlRawAsync("INSERT INTO t VALUES (1)");

        b.Add(new ApiLogRecord { Id = Guid.CreateVersion7(), Method = "GET", Route = "/v1/", ApiId = "gate" });
        var save = b.SaveChangesAsync();
        Assert.False(save.IsCompleted);

        await first.CommitAsync();
        Assert.Equal(1, await save.WaitAsync(TimeSpan.FromSeconds(10)));
    }

    [Fact]
    public async Task Commits_are_synced_to_disk_so_an_acknowledged_write_survives_a_power_cut()
    {
        await using var db = factory.CreateDbContext();
        Assert.Equal([2L], await db.Database.SqlQueryRaw<long>("PRAGMA synchronous").ToListAsync()); // FULL
    }

    [Fact]
    public async Task Every_connection_checkpoints_the_log_at_the_configured_size_not_at_sqlites_default()
    {
        var configured = new ContactoDbContextFactory(
            Options.Create(new StorageOptions { Provider = StorageProvider.Sqlite, SqliteCheckpointPages = 2_500 }),
            new DataDirectory(Options.Create(new PlatformOptions { DataDir = directory.Combine("data") })));
        // Two contexts open at once hold two native connections; each gets the setting.
        await using var a = configured.CreateDbContext();
        await using var b = configured.CreateDbContext();
        await a.Database.OpenConnectionAsync();
        await b.Database.OpenConnectionAsync();
        foreach (var db in new[] { a, b })
            Assert.Equal([2_500L], await db.Database.SqlQueryRaw<long>("PRAGMA wal_autocheckpoint").ToListAsync());
        await using var defaults = factory.CreateDbContext();
        Assert.Equal([10_000L], await defaults.Database.SqlQueryRaw<long>("PRAGMA wal_autocheckpoint").ToListAsync());
    }

    async Task<List<long>> Rows()
    {
        await using var db = factory.CreateDbContext();
        return await db.Database.SqlQueryRaw<long>("SELECT x AS Value FROM t ORDER BY x").ToListAsync();
    }

    public Task DisposeAsync()
    {
        directory.Dispose();
        return Task.CompletedTask;
    }
}
