// End-to-end messaging figures on this machine: API -> database -> dispatcher -> SMPP ->
// simulated carrier -> receipt -> delivered, with encryption and audit on. Prints throughput,
// API acceptance latency, and failover runs (one simulated carrier killed, then silenced, under load).
//   dotnet run -c Release --project bench/Contacto.Messaging.Bench -- [messages] [concurrency] [connection-string]
// With a PostgreSQL connection string the run uses PostgreSQL; otherwise SQLite in a temporary directory.
using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using Contacto.Accounts;
using Contacto.Audit;
using Contacto.Messaging;
using Contacto.Numbers;
using Contacto.Server;
using Contacto.Storage;
using Contacto.Tls;
using Microsoft.AspNetCore.Builder;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

var messages = args.Length > 0 ? int.Parse(args[0]) : 20_000;
var concurrency = args.Length > 1 ? int.Parse(args[1]) : 64;
var connectionString = args.Length > 2 ? args[2] : null;
var dataDir = Directory.CreateTempSubdirectory("contacto-bench-");
try
{
    Console.WriteLine($"storage: {(connectionString is null ? "SQLite" : "PostgreSQL")}, {Environment.ProcessorCount} cores, {messages} messages, {concurrency} concurrent requests");
    await using (var run = await BenchServer.StartAsync(dataDir.FullName, connectionString, "steady"))
    {
        var (elapsed, latencies) = await run.SendAsync(messages, concurrency, onHalf: null);
        var delivered = await run.WaitAsync(messages, [MessageStates.Delivered], TimeSpan.FromMinutes(5));
        var total = delivered.Elapsed + elapsed;
        Console.WriteLine($"end to end: {delivered.Count}/{messages} delivered in {total.TotalSeconds:F1} s = {delivered.Count / total.TotalSeconds:F0} messages/s (API phase {messages / elapsed.TotalSeconds:F0}/s)");
        Console.WriteLine($"API acceptance latency at {concurrency} concurrent requests: p50 {Percentile(latencies, 0.50):F1} ms, p99 {Percentile(latencies, 0.99):F1} ms");
    }
    foreach (var kill in new[] { true, false })
    {
        await using var run = await BenchServer.StartAsync(dataDir.FullName, connectionString, kill ? "failover-killed" : "failover-silenced");
        await FailoverBench.RunAsync(run, messages / 4, concurrency, kill);
    }
}
finally
{
    dataDir.Delete(recursive: true);
}

static double Percentile(List<double> values, double p)
{
    values.Sort();
    return values.Count == 0 ? 0 : values[Math.Min(values.Count - 1, (int)(p * values.Count))];
}

sealed class BenchServer : IAsyncDisposable
{
    readonly WebApplication app;
    readonly HttpClient client;
    readonly string path;

    BenchServer(WebApplication app, HttpClient client, string path) => (this.app, this.client, this.path) = (app, client, path);

    public IServiceProvider Services => app.Services;

    public static async Task<BenchServer> StartAsync(string dataDir, string? connectionString, string run)
    {
        string[] args =
        [
            "--data-dir", Path.Combine(dataDir, run), "--public-url", "https://127.0.0.1:0", "--ops-url", "https://127.0.0.1:0",
            "--Log:Format", "Text", "--Logging:LogLevel:Default", "Error", "--Messaging:AccountMessagesPerSecond", "0",
            .. connectionString is null ? (string[])[] : ["--storage", "PostgreSql", "--connection-string", connectionString],
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
        return new BenchServer(app, client, $"/v1/Account/{account.AuthId}/Message/");
    }

    /// <summary>Sends one message per request from <paramref name="concurrency"/> senders; returns the time taken and each request's latency.</summary>
    public async Task<(TimeSpan Elapsed, List<double> LatenciesMs)> SendAsync(int count, int concurrency, Action? onHalf)
    {
        var next = -1;
        var latencies = new List<double>[concurrency];
        var started = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, concurrency).Select(async worker =>
        {
            latencies[worker] = [];
            int i;
            while ((i = Interlocked.Increment(ref next)) < count)
            {
                if (i == count / 2)
                    onHalf?.Invoke();
                var sent = Stopwatch.GetTimestamp();
                using var response = await client.PostAsJsonAsync(path, new { src = "351912000001", dst = $"3519{13000000 + i % 1_000_000}", text = "Benchmark message" });
                if (response.StatusCode != HttpStatusCode.Accepted)
                    throw new InvalidOperationException($"send answered {response.StatusCode}");
                latencies[worker].Add(Stopwatch.GetElapsedTime(sent).TotalMilliseconds);
            }
        }));
        return (started.Elapsed, [.. latencies.SelectMany(l => l)]);
    }

    /// <summary>Polls the database until <paramref name="count"/> messages are in one of the states, or the time is up.</summary>
    public async Task<(int Count, TimeSpan Elapsed)> WaitAsync(int count, string[] states, TimeSpan within)
    {
        var started = Stopwatch.StartNew();
        var contexts = app.Services.GetRequiredService<IDbContextFactory<ContactoDbContext>>();
        using var tick = new PeriodicTimer(TimeSpan.FromMilliseconds(100));
        var done = 0;
        while (started.Elapsed < within)
        {
            await using (var db = contexts.CreateDbContext())
                done = await db.Set<Message>().CountAsync(m => states.Contains(m.State));
            if (done >= count)
                break;
            await tick.WaitForNextTickAsync();
        }
        return (done, started.Elapsed);
    }

    public async ValueTask DisposeAsync()
    {
        client.Dispose();
        await app.StopAsync();
        await app.DisposeAsync();
    }
}
