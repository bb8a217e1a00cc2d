// Audit trail throughput: records appended per second through the group-committed writer (many
// concurrent callers, as requests are), against a baseline of plain batched inserts of rows of
// similar size through the same group commit, in the same process; the same appends again while
// signed tree heads are computed every second beside them; how fast heads take in new records;
// then verification speed (chains, Merkle roots and anchors).
// Usage: dotnet run -c Release --project bench/Contacto.Audit.Bench [-- RECORDS]
using System.Diagnostics;
using Contacto;
using Contacto.Audit;
using Contacto.Storage;
using Contacto.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

[assembly: System.Runtime.Versioning.SupportedOSPlatform("linux")]

var records = args.Length > 0 ? int.Parse(args[0]) : 50_000;
const int Callers = 1024;

Console.WriteLine($"Audit trail, {records:N0} records, {Callers} concurrent callers, {Environment.ProcessorCount} cores");
Console.WriteLine("| storage | baseline inserts/s | audit appends/s | ratio | appends/s, heads signed each second | ratio | heads, records/s | verify records/s |");
Console.WriteLine("| --- | --- | --- | --- | --- | --- | --- | --- |");
foreach (var provider in new[] { StorageProvider.Sqlite, StorageProvider.PostgreSql })
{
    using var storage = await TestStorage.CreateAsync(provider);
    using var host = await StartAsync(storage);
    var services = host.Services;
    var contexts = services.GetRequiredService<IDbContextFactory<ContactoDbContext>>();
    var accounts = Enumerable.Range(0, 16).Select(_ => Guid.CreateVersion7()).ToArray();

    var baseline = new GroupCommit<ApiLogRecord>(async batch =>
    {
        await using var db = contexts.CreateDbContext();
        db.AddRange(batch);
        await db.SaveChangesAsync();
    }, services.GetRequiredService<ILoggerFactory>().CreateLogger("bench"), 2000);
    var baselineRate = await MeasureAsync(records, i => baseline.WriteAsync(new ApiLogRecord
    {
        Id = Guid.CreateVersion7(),
        AccountId = accounts[i % accounts.Length],
        At = DateTimeOffset.UtcNow,
        Method = "GET",
        Route = "/v1/Account/{auth_id}/Message/",
        Status = 200,
        ApiId = Guid.CreateVersion7().ToString(),
        SourceAddress = "127.0.0.1",
        AuthId = "MA000000000000000000",
    }));
    await baseline.DisposeAsync();

    var writer = services.GetRequiredService<AuditWriter>();
    var actor = new AuditActor(ActorKind.ApiCredential, Guid.CreateVersion7().ToString(), "MA000000000000000000", "127.0.0.1", "bench/1.0");
    var auditRate = await MeasureAsync(records, i => writer.WriteAsync(
        new AuditEntry(accounts[i % accounts.Length], actor, AuditActions.AccountRead, "account", "MA000000000000000000",
            RequestId: Guid.CreateVersion7().ToString())));

    var heads = services.GetRequiredService<AuditHeadService>();
    var clock = Stopwatch.StartNew();
    await heads.SignHeadsAsync(CancellationToken.None);
    var headRate = records / clock.Elapsed.TotalSeconds;

    using var stopSigning = new CancellationTokenSource();
    var signing = Task.Run(async () =>
    {
        using var tick = new PeriodicTimer(TimeSpan.FromSeconds(1));
        try
        {
            while (await tick.WaitForNextTickAsync(stopSigning.Token))
                await heads.SignHeadsAsync(CancellationToken.None);
        }
        catch (OperationCanceledException)
        {
        }
    });
    var signedRate = await MeasureAsync(records, i => writer.WriteAsync(
        new AuditEntry(accounts[i % accounts.Length], actor, AuditActions.AccountRead, "account", "MA000000000000000000",
            RequestId: Guid.CreateVersion7().ToString())));
    await stopSigning.CancelAsync();
    await signing;
    await heads.SignHeadsAsync(CancellationToken.None);

    var verifier = services.GetRequiredService<AuditVerifier>();
    clock.Restart();
    var result = await verifier.VerifyAsync(null, CancellationToken.None);
    var verifyRate = result.Records / clock.Elapsed.TotalSeconds;
    if (!result.Intact)
        throw new InvalidOperationException($"the trail does not verify: {result.FirstProblem}");

    Console.WriteLine($"| {provider} | {baselineRate:N0} | {auditRate:N0} | {auditRate / baselineRate:0.00} | {signedRate:N0} | {signedRate / baselineRate:0.00} | {headRate:N0} | {verifyRate:N0} |");
}

static async Task<double> MeasureAsync(int count, Func<int, Task> write)
{
    var next = -1;
    var clock = Stopwatch.StartNew();
    await Task.WhenAll(Enumerable.Range(0, Callers).Select(async _ =>
    {
        int i;
        while ((i = Interlocked.Increment(ref next)) < count)
            await write(i);
    }));
    return count / clock.Elapsed.TotalSeconds;
}

static async Task<IHost> StartAsync(TestStorage storage)
{
    var builder = Host.CreateApplicationBuilder();
    builder.Configuration["DataDir"] = storage.DataDir;
    builder.Configuration["Storage:Provider"] = storage.Provider.ToString();
    builder.Configuration["Storage:ConnectionString"] = storage.ConnectionString;
    builder.Logging.ClearProviders();
    builder.Services.AddContactoPlatform();
    builder.Services.AddSingleton<AuditHeadService>();
    var host = builder.Build();
    await host.Services.GetRequiredService<StorageInitializer>().MigrateAsync(CancellationToken.None);
    return host;
}
