// End-to-end messaging figures on this machine: API -> database -> dispatcher -> SMPP ->
// simulated carrier -> receipt -> delivered, with encryption and audit on, on SQLite and on
// PostgreSQL. Prints throughput against a plain-insert baseline from the same run, API acceptance
// latency at a fixed offered load, and failover runs (one simulated carrier killed, then silenced, under load).
// Throughput is measured twice: one destination per request, and --bulk destinations per request
// (Plivo's dst joined by '<'), where the API costs little and the pipeline behind it shows.
//   dotnet run -c Release --project bench/Contacto.Messaging.Bench -- [messages] [concurrency] [--rate N] [--bulk N] [--bulk-only] [--sqlite | --postgresql]
// PostgreSQL is a private server started from the system's binaries (as the tests do), flushing every commit.
using System.Collections.Concurrent;
using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Net;
using System.Net.Http.Json;
using Contacto.Accounts;
using Contacto.Audit;
using Contacto.Messaging;
using Contacto.Numbers;
using Contacto.Server;
using Contacto.Storage;
using Contacto.Testing;
using Contacto.Tls;
using Microsoft.AspNetCore.Builder;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

[assembly: System.Runtime.Versioning.SupportedOSPlatform("linux")]

var positional = args.Where((a, i) => !a.StartsWith("--") && (i == 0 || !args[i - 1].StartsWith("--"))).ToArray();
string? Option(string name) => Array.IndexOf(args, name) is var i and >= 0 && i + 1 < args.Length ? args[i + 1] : null;
var messages = positional.Length > 0 ? int.Parse(positional[0]) : 20_000;
var concurrency = positional.Length > 1 ? int.Parse(positional[1]) : 64;
var bulk = Option("--bulk") is { } perRequest ? int.Parse(perRequest) : 100;
var fixedRate = Option("--rate") is { } rate ? int.Parse(rate) : (int?)null;
// --bulk-only: the bulk throughput alone, for quick comparisons.
var bulkOnly = args.Contains("--bulk-only");

Console.WriteLine($"Messaging end to end with per-tenant encryption and audit on: {messages:N0} messages, {concurrency} concurrent requests, " +
    $"{Environment.ProcessorCount} cores, load average {File.ReadAllText("/proc/loadavg").Split(' ')[0]} at start");
PostgresServer.Durable = true;
var results = new List<string>();
StorageProvider[] providers = args.Contains("--sqlite") ? [StorageProvider.Sqlite]
    : args.Contains("--postgresql") ? [StorageProvider.PostgreSql] : [StorageProvider.Sqlite, StorageProvider.PostgreSql];
foreach (var provider in providers)
{
    double baseline, endToEnd, apiRate, bulkEndToEnd;
    int offered;
    List<double> latencies;
    if (bulkOnly)
    {
        await using var run = await BenchServer.StartAsync(provider, "bulk");
        Console.WriteLine($"{provider}: {await run.WarmUpAsync(concurrency, bulk)}");
        (bulkEndToEnd, var bulkApiRate) = await run.ThroughputAsync(messages, Math.Max(1, concurrency / 8), perRequest: bulk);
        Console.WriteLine($"{provider}: {bulkEndToEnd:F0} messages/s end to end, {bulk} destinations per request (API phase {bulkApiRate * bulk:F0} messages/s)");
        continue;
    }
    await using (var run = await BenchServer.StartAsync(provider, "steady"))
    {
        Console.WriteLine($"{provider}: {await run.WarmUpAsync(concurrency, bulk)}");
        baseline = await run.PlainInsertsAsync(messages, concurrency);
        (endToEnd, apiRate) = await run.ThroughputAsync(messages, concurrency, perRequest: 1);
        Console.WriteLine($"{provider}: {endToEnd:F0} messages/s end to end, one destination per request " +
            $"(API phase {apiRate:F0} requests/s); plain inserts {baseline:F0} rows/s; ratio {endToEnd / baseline:F2}");
        (bulkEndToEnd, var bulkApiRate) = await run.ThroughputAsync(messages, Math.Max(1, concurrency / 8), perRequest: bulk);
        Console.WriteLine($"{provider}: {bulkEndToEnd:F0} messages/s end to end, {bulk} destinations per request " +
            $"(API phase {bulkApiRate * bulk:F0} messages/s); ratio {bulkEndToEnd / baseline:F2}");
        // Open loop at a rate the machine sustains: half the measured end-to-end rate unless given.
        offered = fixedRate ?? Math.Max(10, (int)(endToEnd / 2) / 10 * 10);
        latencies = await run.OfferAsync(offered, TimeSpan.FromSeconds(10));
        await run.WaitAsync(run.Sent, [MessageStates.Delivered], TimeSpan.FromMinutes(5));
        Console.WriteLine($"{provider}: API acceptance latency at {offered} requests/s offered: p50 {Percentile(latencies, 0.50):F1} ms, p99 {Percentile(latencies, 0.99):F1} ms");
    }
    results.Add($"| {provider} | {baseline:F0} | {endToEnd:F0} | {bulkEndToEnd:F0} | {bulkEndToEnd / baseline:F2} | {apiRate:F0} | {offered} | {Percentile(latencies, 0.50):F1} / {Percentile(latencies, 0.99):F1} ms |");
    foreach (var kill in new[] { true, false })
    {
        await using var run = await BenchServer.StartAsync(provider, kill ? "failover-killed" : "failover-silenced");
        Console.Write($"{provider}: ");
        await FailoverBench.RunAsync(run, messages / 4, concurrency, kill);
    }
}
if (results.Count == 0)
    return;
Console.WriteLine();
Console.WriteLine($"| storage | plain inserts/s | end to end msg/s, 1 per request | end to end msg/s, {bulk} per request | ratio (bulk) | API requests/s | offered/s | latency p50 / p99 |");
Console.WriteLine("| --- | --- | --- | --- | --- | --- | --- | --- |");
results.ForEach(Console.WriteLine);

static double Percentile(List<double> values, double p)
{
    values.Sort();
    return values.Count == 0 ? 0 : values[Math.Min(values.Count - 1, (int)(p * values.Count))];
}

sealed class BenchServer : IAsyncDisposable
{
    const string Text = "Benchmark message";
    readonly WebApplication app;
    readonly HttpClient client;
    readonly string path;
    readonly Guid accountId;
    readonly TestStorage storage;
    readonly MeterListener stateListener = new();
    readonly ConcurrentDictionary<string, long> statesReached = new();
    int sequence;

    BenchServer(WebApplication app, HttpClient client, string path, Guid accountId, TestStorage storage)
    {
        (this.app, this.client, this.path, this.accountId, this.storage) = (app, client, path, accountId, storage);
        // The pipeline's own state counter says when to look: counting rows in the database every
        // few milliseconds would take CPU from the pipeline being measured.
        var meters = app.Services.GetRequiredService<IMeterFactory>();
        stateListener.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Meter.Scope == meters && instrument.Meter.Name == MessagingMetrics.MeterName && instrument.Name == "contacto.message.states")
                listener.EnableMeasurementEvents(instrument);
        };
        stateListener.SetMeasurementEventCallback<long>((_, value, tags, _) =>
        {
            foreach (var tag in tags)
                if (tag.Key == "state" && tag.Value is string state)
                    statesReached.AddOrUpdate(state, value, (_, n) => n + value);
        });
        stateListener.Start();
    }

    public IServiceProvider Services => app.Services;

    /// <summary>
    /// Stops the run unless the private server flushes every commit (<see cref="PostgresServer.Durable"/>):
    /// figures of unflushed writes would say nothing about a production server.
    /// </summary>
    static async Task CheckDurableAsync(string connectionString)
    {
        await using var connection = new Npgsql.NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new Npgsql.NpgsqlCommand(
            "SELECT string_agg(name, ', ') FROM pg_settings WHERE name IN ('fsync', 'synchronous_commit', 'full_page_writes') AND setting <> 'on'", connection);
        if (await command.ExecuteScalarAsync() is string off)
            throw new InvalidOperationException($"PostgreSQL runs with {off} off; the figures would not be of durable writes");
    }

    /// <summary>A server on fresh storage of its own: a new SQLite file, or a new database on the private PostgreSQL server.</summary>
    public static async Task<BenchServer> StartAsync(StorageProvider provider, string run)
    {
        var storage = await TestStorage.CreateAsync(provider);
        if (storage.ConnectionString is { } connectionString)
            await CheckDurableAsync(connectionString);
        string[] args =
        [
            .. storage.Arguments, "--public-url", "https://127.0.0.1:0", "--ops-url", "https://127.0.0.1:0",
            .. RunningServer.SipOnFreePorts,
            "--Log:Format", "Text", "--Logging:LogLevel:Default", "Error", "--Messaging:AccountMessagesPerSecond", "0",
        ];
        var app = ContactoServer.Build(args);
        await ContactoServer.StartAsync(app, CancellationToken.None);
        var (account, token) = await app.Services.GetRequiredService<AccountService>().CreateAsync($"Bench {run}", null, true, AuditActor.Operator, null, CancellationToken.None);
        await app.Services.GetRequiredService<NumberService>().AddAsync(account.Id, "+351912000001", "PT", "mobile", AuditActor.Operator, CancellationToken.None);
        var certificate = app.Services.GetRequiredService<ServerCertificateStore>().Current;
        var handler = new SocketsHttpHandler { MaxConnectionsPerServer = 256 };
        handler.SslOptions.RemoteCertificateValidationCallback = (_, presented, _, _) => presented?.GetCertHashString() == certificate.GetCertHashString();
        var client = new HttpClient(handler) { BaseAddress = new Uri($"https://127.0.0.1:{app.Services.GetRequiredService<BoundListeners>().PublicPort}") };
        client.DefaultRequestHeaders.Authorization = new("Basic", Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes($"{account.AuthId}:{token}")));
        return new BenchServer(app, client, $"/v1/Account/{account.AuthId}/Message/", account.Id, storage);
    }

    /// <summary>
    /// The baseline: one plain row per message (an API log row, no encryption or chain),
    /// inserted through a group commit from as many concurrent callers. Returns rows per second.
    /// </summary>
    public async Task<double> PlainInsertsAsync(int count, int concurrency)
    {
        var contexts = app.Services.GetRequiredService<IDbContextFactory<ContactoDbContext>>();
        await using var group = new GroupCommit<ApiLogRecord>(async batch =>
        {
            await using var db = contexts.CreateDbContext();
            await using var transaction = await db.Database.BeginTransactionAsync();
            await BulkInsert.InsertAsync(db, batch, CancellationToken.None);
            await transaction.CommitAsync();
        }, app.Services.GetRequiredService<ILoggerFactory>().CreateLogger("bench"), 500);
        var next = -1;
        var clock = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, concurrency).Select(async _ =>
        {
            while (Interlocked.Increment(ref next) < count)
                await group.WriteAsync(new ApiLogRecord
                {
                    Id = Guid.CreateVersion7(), AccountId = Guid.Empty, At = DateTimeOffset.UtcNow, Method = "POST", Route = path,
                    Status = 202, ApiId = Guid.CreateVersion7().ToString(), SourceAddress = "127.0.0.1",
                });
        }));
        return count / clock.Elapsed.TotalSeconds;
    }

    /// <summary>
    /// Runs both request shapes until the JIT has settled. A new process spends most of its first
    /// half minute compiling and recompiling methods (tiered compilation: quick code first,
    /// optimized code once a method is hot), which is start-up cost, not the throughput of a server
    /// that runs for days. Rounds go on until one compiles fewer than 300 new methods.
    /// </summary>
    public async Task<string> WarmUpAsync(int concurrency, int perRequest)
    {
        const int RoundMessages = 10_000, QuietRound = 300, MaxRounds = 12;
        var (rounds, compiled) = (0, 0L);
        var clock = Stopwatch.StartNew();
        do
        {
            var before = System.Runtime.JitInfo.GetCompiledMethodCount();
            await ThroughputAsync(RoundMessages / 10, concurrency, perRequest: 1);
            await ThroughputAsync(RoundMessages, Math.Max(1, concurrency / 8), perRequest);
            compiled = System.Runtime.JitInfo.GetCompiledMethodCount() - before;
        }
        while (++rounds < MaxRounds && compiled >= QuietRound);
        return $"warmed up with {rounds * RoundMessages * 11 / 10:N0} messages in {clock.Elapsed.TotalSeconds:F0} s, " +
            $"until a round compiled {compiled} new methods ({System.Runtime.JitInfo.GetCompiledMethodCount():N0} in all)";
    }

    /// <summary>Messages this run has had accepted.</summary>
    public int Sent => sent;
    int sent;

    Task<HttpResponseMessage> PostAsync(int destinations = 1)
    {
        Interlocked.Add(ref sent, destinations);
        return client.PostAsJsonAsync(path, new { src = "351912000001", dst = string.Join('<', Enumerable.Range(0, destinations).Select(_ => $"3519{13000000 + Interlocked.Increment(ref sequence) % 1_000_000}")), text = Text });
    }

    /// <summary>Sends <paramref name="count"/> messages and waits until all are delivered; returns messages/s end to end and the API's requests/s.</summary>
    public async Task<(double EndToEnd, double ApiRequests)> ThroughputAsync(int count, int concurrency, int perRequest)
    {
        var before = Sent;
        var (elapsed, _) = await SendAsync(count, concurrency, onHalf: null, perRequest);
        var delivered = await WaitAsync(Sent, [MessageStates.Delivered], TimeSpan.FromMinutes(5));
        if (delivered.Count < Sent)
            throw new InvalidOperationException($"only {delivered.Count} of {Sent} messages were delivered");
        return ((Sent - before) / (elapsed + delivered.Elapsed).TotalSeconds, count / perRequest / elapsed.TotalSeconds);
    }

    /// <summary>
    /// Sends <paramref name="count"/> messages, <paramref name="perRequest"/> per request, from
    /// <paramref name="concurrency"/> senders; returns the time taken and each request's latency.
    /// </summary>
    public async Task<(TimeSpan Elapsed, List<double> LatenciesMs)> SendAsync(int count, int concurrency, Action? onHalf, int perRequest = 1)
    {
        var next = -1;
        var latencies = new List<double>[concurrency];
        var started = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, concurrency).Select(async worker =>
        {
            latencies[worker] = [];
            int i;
            while ((i = Interlocked.Increment(ref next)) < count / perRequest)
            {
                if (i == count / perRequest / 2)
                    onHalf?.Invoke();
                var requested = Stopwatch.GetTimestamp();
                using var response = await PostAsync(perRequest);
                if (response.StatusCode != HttpStatusCode.Accepted)
                    throw new InvalidOperationException($"send answered {response.StatusCode}");
                latencies[worker].Add(Stopwatch.GetElapsedTime(requested).TotalMilliseconds);
            }
        }));
        return (started.Elapsed, [.. latencies.SelectMany(l => l)]);
    }

    /// <summary>
    /// Open loop: starts requests at <paramref name="perSecond"/> whatever the answers do, for
    /// <paramref name="duration"/>. Each latency counts from when its request was due, so a stall
    /// shows in every request it delays.
    /// </summary>
    public async Task<List<double>> OfferAsync(int perSecond, TimeSpan duration)
    {
        var count = (int)(perSecond * duration.TotalSeconds);
        var requests = new List<Task<double>>(count);
        var clock = Stopwatch.StartNew();
        using var tick = new PeriodicTimer(TimeSpan.FromMilliseconds(5));
        while (requests.Count < count)
        {
            var due = Math.Min(count, (int)(clock.Elapsed.TotalSeconds * perSecond) + 1);
            while (requests.Count < due)
            {
                var dueAt = TimeSpan.FromSeconds((double)requests.Count / perSecond);
                requests.Add(Task.Run(async () =>
                {
                    using var response = await PostAsync();
                    if (response.StatusCode != HttpStatusCode.Accepted)
                        throw new InvalidOperationException($"send answered {response.StatusCode}");
                    return (clock.Elapsed - dueAt).TotalMilliseconds;
                }));
            }
            await tick.WaitForNextTickAsync();
        }
        return [.. await Task.WhenAll(requests)];
    }

    /// <summary>
    /// Waits until <paramref name="count"/> of this run's messages are in one of <paramref name="states"/>,
    /// as the database says; returns how many are and the time taken.
    /// </summary>
    public async Task<(int Count, TimeSpan Elapsed)> WaitAsync(int count, string[] states, TimeSpan within)
    {
        var started = Stopwatch.StartNew();
        var contexts = app.Services.GetRequiredService<IDbContextFactory<ContactoDbContext>>();
        using var tick = new PeriodicTimer(TimeSpan.FromMilliseconds(10));
        var (done, counted) = (0, TimeSpan.Zero);
        while (started.Elapsed < within)
        {
            // The database is asked when the counter says the count is reached (a message passes
            // through sent to delivered, so the furthest state's count tells), at most every 100 ms
            // after that (a resend after a failover counts twice), and every 30 s regardless: each
            // count reads all the account's messages, which on PostgreSQL took a tenth of the
            // server's CPU even when done every 5 s.
            var sinceCounted = started.Elapsed - counted;
            if ((states.Max(s => statesReached.GetValueOrDefault(s)) >= count && sinceCounted > TimeSpan.FromMilliseconds(100)) || sinceCounted > TimeSpan.FromSeconds(30))
            {
                await using (var db = contexts.CreateDbContext())
                    done = await db.Set<Message>().CountAsync(m => m.AccountId == accountId && states.Contains(m.State));
                counted = started.Elapsed;
                if (done >= count)
                    break;
            }
            await tick.WaitForNextTickAsync();
        }
        return (done, started.Elapsed);
    }

    public async ValueTask DisposeAsync()
    {
        stateListener.Dispose();
        client.Dispose();
        await app.StopAsync();
        await app.DisposeAsync();
        storage.Dispose();
    }
}
