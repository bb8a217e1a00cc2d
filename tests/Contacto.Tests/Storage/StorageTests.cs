using Contacto.Platform;
using Microsoft.Extensions.Options;
using Npgsql;
using System.Net;
using System.Text.Json;
using Contacto.Cli;
using Contacto.Messaging;
using Contacto.Server;
using Contacto.Storage;
using Contacto.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Contacto.Tests.Storage;

/// <summary>Every storage behaviour, on SQLite and on PostgreSQL.</summary>
public sealed class StorageTests
{
    [Theory]
    [MemberData(nameof(TestStorage.Providers), MemberType = typeof(TestStorage))]
    public async Task The_server_applies_migrations_at_start_and_is_ready(StorageProvider provider)
    {
        using var storage = await TestStorage.CreateAsync(provider);
        await using var server = await RunningServer.StartAsync(storage);

        await using var db = server.Services.GetRequiredService<IDbContextFactory<ContactoDbContext>>().CreateDbContext();
        Assert.Equal(provider == StorageProvider.Sqlite, db.Database.IsSqlite());
        Assert.Empty(await db.Database.GetPendingMigrationsAsync());
        Assert.NotEmpty(await db.Database.GetAppliedMigrationsAsync());
        using var ready = await server.Ops.GetAsync("/health/ready");
        Assert.Equal(HttpStatusCode.OK, ready.StatusCode);
    }

    [Theory]
    [MemberData(nameof(TestStorage.Providers), MemberType = typeof(TestStorage))]
    public async Task With_migrate_on_start_off_the_server_refuses_pending_migrations_until_the_CLI_applies_them(StorageProvider provider)
    {
        using var storage = await TestStorage.CreateAsync(provider);
        string[] args = [.. storage.Arguments, "--Storage:MigrateOnStart", "false", "--public-url", "https://127.0.0.1:0", "--ops-url", "https://127.0.0.1:0"];
        var error = new StringWriter();

        Assert.Equal(2, await ContactoServer.RunAsync(args, TextWriter.Null, error));
        Assert.Contains("Storage:MigrateOnStart", error.ToString());
        Assert.Contains("pending", error.ToString());
        Assert.Contains("(Initial,", error.ToString()); // by name: a timestamp would be redacted as a card number

        var cliOutput = new StringWriter();
        Assert.Equal(0, await ContactoCli.InvokeAsync([.. storage.Arguments, "db", "migrate"], cliOutput, TextWriter.Null));
        Assert.Contains("Applied", cliOutput.ToString());
        var again = new StringWriter();
        Assert.Equal(0, await ContactoCli.InvokeAsync([.. storage.Arguments, "db", "migrate"], again, TextWriter.Null));
        Assert.Contains("up to date", again.ToString());

        await using var server = await RunningServer.StartAsync(storage, ["--Storage:MigrateOnStart", "false"]);
        using var ready = await server.Ops.GetAsync("/health/ready");
        Assert.Equal(HttpStatusCode.OK, ready.StatusCode);
    }

    [Theory]
    [MemberData(nameof(TestStorage.Providers), MemberType = typeof(TestStorage))]
    public async Task Readiness_reports_pending_migrations_as_unhealthy(StorageProvider provider)
    {
        using var storage = await TestStorage.CreateAsync(provider);
        var factory = storage.Contexts();
        await using (var db = factory.CreateDbContext())
            await db.Database.ExecuteSqlRawAsync("SELECT 1"); // the database exists, its schema does not

        var result = await new StorageHealthCheck(factory).CheckHealthAsync(new HealthCheckContext());

        Assert.Equal(HealthStatus.Unhealthy, result.Status);
        Assert.Contains("pending", result.Description);
    }

    [Theory]
    [MemberData(nameof(TestStorage.Providers), MemberType = typeof(TestStorage))]
    public async Task Each_providers_migrations_match_the_model(StorageProvider provider)
    {
        // A capability that changed its entities without a migration for both providers fails here.
        using var storage = await TestStorage.CreateAsync(provider);
        await using var db = storage.Contexts().CreateDbContext();
        Assert.False(db.Database.HasPendingModelChanges());
    }

    [Theory]
    [MemberData(nameof(TestStorage.Providers), MemberType = typeof(TestStorage))]
    public async Task A_bulk_insert_stores_each_value_as_SaveChanges_would(StorageProvider provider)
    {
        using var storage = await TestStorage.CreateAsync(provider);
        var contexts = storage.Contexts();
        await using (var db = contexts.CreateDbContext())
            await db.Database.MigrateAsync();
        var at = DateTimeOffset.FromUnixTimeMilliseconds(1_780_000_000_123);
        Message Row(int i, bool full) => new()
        {
            Id = Guid.CreateVersion7(), AccountId = Guid.NewGuid(), State = MessageStates.Sent, DestinationCountry = "PT", Units = i,
            TextSealed = full ? [0, 1, 2, 255] : null, ToIndex = full ? new byte[32] : null, AlphanumericSender = full, Log = !full,
            LogOnly = full ? MessageLog.ContentOnly : null, CallbackUrlSealed = full ? [9, 8, 7] : null, Carrier = full ? "sim-é&x=1" : null,
            CreatedAt = at.AddMilliseconds(i), UpdatedAt = at, SentAt = full ? at : null, NextAttemptAt = full ? null : at.AddSeconds(i),
        };
        List<Message> bulk = [Row(1, true), Row(2, false), Row(3, true)], tracked = [Row(4, true), Row(5, false)];
        await using (var db = contexts.CreateDbContext())
        {
            await using var transaction = await db.Database.BeginTransactionAsync();
            await BulkInsert.InsertAsync(db, bulk, CancellationToken.None);
            await transaction.CommitAsync();
        }
        await using (var db = contexts.CreateDbContext())
        {
            db.AddRange(tracked);
            await db.SaveChangesAsync();
        }

        await using var read = contexts.CreateDbContext();
        var stored = await read.Set<Message>().AsNoTracking().OrderBy(m => m.Units).ToListAsync();
        Assert.Equal(bulk.Concat(tracked).Select(m => JsonSerializer.Serialize(m)), stored.Select(m => JsonSerializer.Serialize(m)));
    }

    [Fact]
    public async Task PostgreSQL_statements_that_repeat_are_prepared_unless_the_connection_string_says_not_to()
    {
        using var storage = await TestStorage.CreateAsync(StorageProvider.PostgreSql);
        foreach (var (connectionString, prepared) in new[] { (storage.ConnectionString, true), (storage.ConnectionString + ";Max Auto Prepare=0", false) })
        {
            await using var db = storage.Contexts(connectionString).CreateDbContext();
            await db.Database.OpenConnectionAsync();
            for (var i = 0; i < 10; i++)
                await Scalar(db, "SELECT 1");
            Assert.Equal(prepared, await Scalar(db, "SELECT count(*) FROM pg_prepared_statements") != "0");
        }
    }

    [Theory]
    [InlineData("Host=db.example.com;Username=contacto", false, SslMode.VerifyFull)]
    [InlineData("Host=[2001:db8::5]:5432,127.0.0.1;Username=contacto", false, SslMode.VerifyFull)]
    [InlineData("Host=db.example.com;Username=contacto;SSL Mode=Require", false, SslMode.Require)]
    [InlineData("Host=db.example.com;Username=contacto;SSL Mode=Disable", true, SslMode.Disable)]
    [InlineData("Host=db.example.com;Username=contacto", true, SslMode.Prefer)]
    [InlineData("Host=127.0.0.1,localhost:5433,::1,/var/run/postgresql;Username=contacto", false, SslMode.Prefer)]
    public void PostgreSQL_on_another_host_is_reached_over_verified_TLS_unless_the_string_or_the_operator_says_otherwise(string configured, bool allowUnencrypted, SslMode expected)
    {
        using var directory = new TempDirectory();
        var storage = new StorageOptions { Provider = StorageProvider.PostgreSql, ConnectionString = configured, AllowUnencryptedPostgres = allowUnencrypted };
        var factory = new ContactoDbContextFactory(Options.Create(storage), new DataDirectory(Options.Create(new PlatformOptions { DataDir = directory.Combine("data") })));

        Assert.Equal(expected, new NpgsqlConnectionStringBuilder(factory.ConnectionString).SslMode);
    }

    [Fact]
    public async Task PostgreSQL_leaves_room_on_message_pages_for_their_later_versions()
    {
        using var storage = await TestStorage.CreateAsync(StorageProvider.PostgreSql);
        await using var db = storage.Contexts().CreateDbContext();
        await db.Database.MigrateAsync();
        await db.Database.OpenConnectionAsync();
        foreach (var table in new[] { "messages", "message_parts" })
            Assert.Equal("fillfactor=70", await Scalar(db, $"SELECT array_to_string(reloptions, ',') FROM pg_class WHERE relname = '{table}'"));
    }

    [Fact]
    public async Task A_receipt_batch_finds_its_parts_by_carrier_id_while_PostgreSQL_statistics_lag_behind_the_table()
    {
        // Statistics taken while the table was small, then a flood of one carrier's parts: the plan
        // must still seek each id, not scan every part of the carrier and filter.
        using var storage = await TestStorage.CreateAsync(StorageProvider.PostgreSql);
        var contexts = storage.Contexts();
        await using var db = contexts.CreateDbContext();
        await db.Database.MigrateAsync();
        MessagePart Part(int i) => new() { Carrier = "carrier-a", CarrierMessageId = i.ToString(), MessageId = Guid.NewGuid() };
        await using (var transaction = await db.Database.BeginTransactionAsync())
        {
            await BulkInsert.InsertAsync(db, Enumerable.Range(0, 200).Select(Part).ToList(), CancellationToken.None);
            await transaction.CommitAsync();
        }
        await db.Database.ExecuteSqlRawAsync("ANALYZE message_parts");
        await using (var transaction = await db.Database.BeginTransactionAsync())
        {
            await BulkInsert.InsertAsync(db, Enumerable.Range(200, 40_000).Select(Part).ToList(), CancellationToken.None);
            await transaction.CommitAsync();
        }

        var keys = Enumerable.Range(0, 64).Select(i => (i * 613).ToString()).ToList();
        var lookup = db.Set<MessagePart>().Where(p => p.Carrier == "carrier-a" && keys.Contains(p.CarrierMessageId));
        var command = lookup.CreateDbCommand();
        command.CommandText = "EXPLAIN " + command.CommandText;
        await db.Database.OpenConnectionAsync();
        var plan = new List<string>();
        await using (var reader = await command.ExecuteReaderAsync())
            while (await reader.ReadAsync())
                plan.Add(reader.GetString(0));
        Assert.Contains(plan, line => line.Contains("Index Cond") && line.Contains("CarrierMessageId"));
        Assert.DoesNotContain(plan, line => line.Contains("Filter") && line.Contains("CarrierMessageId"));
        Assert.Equal(64, await lookup.CountAsync());
    }

    [Fact]
    public async Task Readiness_reports_an_unreachable_database_without_its_connection_details()
    {
        using var storage = await TestStorage.CreateAsync(StorageProvider.PostgreSql);
        // A closed port on loopback, and a password that must not leak into the report.
        var factory = storage.Contexts("Host=127.0.0.1;Port=1;Username=u;Password=leak-me-not;Timeout=2");

        var result = await new StorageHealthCheck(factory).CheckHealthAsync(new HealthCheckContext());

        Assert.Equal(HealthStatus.Unhealthy, result.Status);
        Assert.DoesNotContain("leak-me-not", result.Description);
        Assert.Contains("unreachable", result.Description);
    }

    [Fact]
    public async Task SQLite_runs_in_WAL_mode_with_foreign_keys_on_even_if_the_string_says_otherwise()
    {
        using var storage = await TestStorage.CreateAsync(StorageProvider.Sqlite);
        var path = Path.Combine(storage.Directory.Path, "custom.db");
        await using var server = await RunningServer.StartAsync(storage, ["--connection-string", $"Data Source={path};Foreign Keys=False"]);

        await using var db = server.Services.GetRequiredService<IDbContextFactory<ContactoDbContext>>().CreateDbContext();
        await db.Database.OpenConnectionAsync();
        Assert.Equal("wal", await Scalar(db, "PRAGMA journal_mode;"));
        Assert.Equal("1", await Scalar(db, "PRAGMA foreign_keys;"));
        Assert.True(File.Exists(path));
    }

    static async Task<string?> Scalar(DbContext db, string sql)
    {
        await using var command = db.Database.GetDbConnection().CreateCommand();
        command.CommandText = sql;
        return Convert.ToString(await command.ExecuteScalarAsync());
    }
}
