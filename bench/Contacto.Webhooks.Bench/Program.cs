// Webhook sender throughput on this machine: the outbox filled with signed callbacks (three per
// message, in order: queued, sent, delivered) across many accounts and hosts, delivered by the
// server's own sender to a fast local receiver (Kestrel on loopback), plain HTTP and HTTPS, on
// SQLite and on PostgreSQL (a private server flushing every commit). Prints callbacks/s against a
// baseline in the same run: the same receiver driven directly by an HttpClient, signing as the
// sender does, with no outbox.
//   dotnet run -c Release --project bench/Contacto.Webhooks.Bench -- [callbacks] [--accounts N] [--hosts N] [--sqlite | --postgresql] [--http-only]
using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Contacto.Accounts;
using Contacto.Audit;
using Contacto.Crypto;
using Contacto.Server;
using Contacto.Storage;
using Contacto.Testing;
using Contacto.Webhooks;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

[assembly: System.Runtime.Versioning.SupportedOSPlatform("linux")]

var positional = args.Where((a, i) => !a.StartsWith("--") && (i == 0 || !args[i - 1].StartsWith("--"))).ToArray();
string? Option(string name) => Array.IndexOf(args, name) is var i and >= 0 && i + 1 < args.Length ? args[i + 1] : null;
var callbacks = positional.Length > 0 ? int.Parse(positional[0]) : 60_000;
var accounts = int.Parse(Option("--accounts") ?? "40");
var hosts = int.Parse(Option("--hosts") ?? "8");
StorageProvider[] providers = args.Contains("--sqlite") ? [StorageProvider.Sqlite]
    : args.Contains("--postgresql") ? [StorageProvider.PostgreSql] : [StorageProvider.Sqlite, StorageProvider.PostgreSql];
bool[] schemes = args.Contains("--http-only") ? [false] : [false, true];

Console.WriteLine($"Webhook sender: {callbacks:N0} signed callbacks (3 per message) from {accounts} accounts to {hosts} hosts, " +
    $"{Environment.ProcessorCount} cores, load average {File.ReadAllText("/proc/loadavg").Split(' ')[0]} at start");
PostgresServer.Durable = true;
await using var receiver = await Receiver.StartAsync(hosts);
var rows = new List<string>();
foreach (var tls in schemes)
{
    var baseline = await receiver.BaselineAsync(callbacks, tls, concurrency: 256);
    Console.WriteLine($"{(tls ? "HTTPS" : "HTTP")} baseline, HttpClient straight to the receiver: {baseline:F0} callbacks/s");
    foreach (var provider in providers)
    {
        await using var run = await SenderRun.StartAsync(provider, receiver, accounts);
        await run.DeliverAsync(callbacks / 10, tls); // warm-up: JIT, connections, caches
        var rate = await run.DeliverAsync(callbacks, tls);
        Console.WriteLine($"{provider}, {(tls ? "HTTPS" : "HTTP")}: {rate:F0} callbacks/s through the outbox; ratio to baseline {rate / baseline:F2}");
        rows.Add($"| {provider} | {(tls ? "HTTPS" : "HTTP")} | {baseline:F0} | {rate:F0} | {rate / baseline:F2} |");
    }
}
Console.WriteLine();
Console.WriteLine("| storage | scheme | baseline callbacks/s | outbox callbacks/s | ratio |");
Console.WriteLine("| --- | --- | --- | --- | --- |");
rows.ForEach(Console.WriteLine);

/// <summary>A fast customer endpoint: one Kestrel on loopback, one plain and one TLS port per host, answering 200 at once.</summary>
sealed class Receiver : IAsyncDisposable
{
    readonly WebApplication app;
    int received;

    Receiver(WebApplication app, X509Certificate2 certificate, string[] http, string[] https) =>
        (this.app, Certificate, Http, Https) = (app, certificate, http, https);

    public X509Certificate2 Certificate { get; }
    public string[] Http { get; }
    public string[] Https { get; }
    public int Received => Volatile.Read(ref received);

    public static async Task<Receiver> StartAsync(int hosts)
    {
        var certificate = LoopbackCertificate.Create(out var key);
        key.Dispose();
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k =>
        {
            for (var i = 0; i < hosts; i++)
            {
                k.Listen(IPAddress.Loopback, 0);
                k.Listen(IPAddress.Loopback, 0, l => l.UseHttps(certificate));
            }
        });
        var app = builder.Build();
        Receiver? self = null;
        app.Map("/{**path}", () =>
        {
            Interlocked.Increment(ref self!.received);
            return Results.Ok();
        });
        await app.StartAsync();
        var urls = app.Urls.ToArray();
        self = new Receiver(app, certificate, [.. urls.Where(u => u.StartsWith("http:"))], [.. urls.Where(u => u.StartsWith("https:"))]);
        return self;
    }

    public void Trust(SocketsHttpHandler handler) => LoopbackCertificate.Trust(handler, Certificate);

    public string Url(int host, bool tls, int account) => $"{(tls ? Https : Http)[host % Http.Length]}/hooks/{account}/status";

    /// <summary>The receiver driven directly: signed form posts from <paramref name="concurrency"/> keep-alive workers, no outbox.</summary>
    public async Task<double> BaselineAsync(int count, bool tls, int concurrency)
    {
        var handler = OutboundHttp.CreateHandler(TimeSpan.FromSeconds(15), new OutboundUrlPolicy(Options.Create(new WebhookOptions { AllowedNetworks = ["127.0.0.0/8"] })));
        Trust(handler);
        using var client = new HttpClient(handler);
        const string token = "BaselineToken0123456789abcdefghijklmnopq";
        async Task RunAsync(int total)
        {
            var next = -1;
            await Task.WhenAll(Enumerable.Range(0, concurrency).Select(async _ =>
            {
                int i;
                while ((i = Interlocked.Increment(ref next)) < total)
                {
                    var url = new Uri(Url(i, tls, i % 40));
                    var fields = SenderRun.Fields(Guid.NewGuid(), "delivered");
                    using var request = new HttpRequestMessage(HttpMethod.Post, url) { Content = new FormUrlEncodedContent(fields) };
                    var nonce = PlivoSignature.NewNonce();
                    request.Headers.Add(PlivoSignature.V3NonceHeader, nonce);
                    request.Headers.Add(PlivoSignature.V3Header, PlivoSignature.V3("POST", url, fields, nonce, token));
                    request.Headers.Add(PlivoSignature.V3MainAccountHeader, PlivoSignature.V3("POST", url, fields, nonce, token));
                    request.Headers.Add(PlivoSignature.V2NonceHeader, nonce);
                    request.Headers.Add(PlivoSignature.V2Header, PlivoSignature.V2(url, nonce, token));
                    request.Headers.Add(PlivoSignature.V2MainAccountHeader, PlivoSignature.V2(url, nonce, token));
                    using var response = await client.SendAsync(request);
                    response.EnsureSuccessStatusCode();
                }
            }));
        }
        await RunAsync(count / 10);
        var clock = Stopwatch.StartNew();
        await RunAsync(count);
        return count / clock.Elapsed.TotalSeconds;
    }

    public async ValueTask DisposeAsync()
    {
        await app.StopAsync();
        await app.DisposeAsync();
        Certificate.Dispose();
    }
}

/// <summary>The server in-process on fresh storage, its sender trusting the receiver's certificate.</summary>
sealed class SenderRun : IAsyncDisposable
{
    readonly WebApplication app;
    readonly TestStorage storage;
    readonly Receiver receiver;
    readonly List<Guid> accounts;
    readonly MeterListener listener = new();
    long settled;

    SenderRun(WebApplication app, TestStorage storage, Receiver receiver, List<Guid> accounts)
    {
        (this.app, this.storage, this.receiver, this.accounts) = (app, storage, receiver, accounts);
        // The sender's own attempt counter says when all are recorded: counting rows every few
        // milliseconds would take CPU from what is measured.
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Name == WebhookSender.MeterName && instrument.Name == "contacto.webhook.attempts")
                l.EnableMeasurementEvents(instrument);
        };
        listener.SetMeasurementEventCallback<long>((_, value, _, _) => Interlocked.Add(ref settled, value));
        listener.Start();
    }

    public static async Task<SenderRun> StartAsync(StorageProvider provider, Receiver receiver, int accountCount)
    {
        var storage = await TestStorage.CreateAsync(provider);
        string[] args =
        [
            .. storage.Arguments, "--public-url", "https://127.0.0.1:0", "--ops-url", "https://127.0.0.1:0",
            "--Log:Format", "Text", "--Logging:LogLevel:Default", "Error", "--Webhooks:AllowedNetworks:0", "127.0.0.0/8",
        ];
        var app = ContactoServer.Build(args, b => b.Services.Replace(ServiceDescriptor.Singleton(sp => new WebhookClient(
            sp.GetRequiredService<OutboundUrlPolicy>(), sp.GetRequiredService<IOptions<WebhookOptions>>(), receiver.Trust))));
        await ContactoServer.StartAsync(app, CancellationToken.None);
        var service = app.Services.GetRequiredService<AccountService>();
        var ids = new List<Guid>();
        for (var i = 0; i < accountCount; i++)
            ids.Add((await service.CreateAsync($"Bench {i}", null, true, AuditActor.Operator, null, CancellationToken.None)).Account.Id);
        return new SenderRun(app, storage, receiver, ids);
    }

    public static List<KeyValuePair<string, string>> Fields(Guid message, string status)
    {
        var id = message.ToString();
        return
        [
            new("MessageUUID", id), new("ParentMessageUUID", id), new("PartInfo", "1 of 1"), new("Sequence", "1"),
            new("From", "351912000001"), new("To", "351913000001"), new("Type", "sms"), new("Status", status), new("Units", "1"),
            new("TotalRate", "0.00000"), new("TotalAmount", "0.00000"), new("MCC", ""), new("MNC", ""),
            new("MessageTime", "2026-12-03 10:00:00.000000"), new("QueuedTime", "2026-12-03 10:00:00.000000"), new("requester_ip", "203.0.113.7"),
            new("PowerpackUUID", ""),
        ];
    }

    /// <summary>
    /// Fills the outbox with <paramref name="count"/> callbacks not yet due, makes them due in one
    /// statement and times the sender until every one is recorded delivered. Returns callbacks/s.
    /// </summary>
    public async Task<double> DeliverAsync(int count, bool tls)
    {
        var outbox = app.Services.GetRequiredService<WebhookOutbox>();
        var crypto = app.Services.GetRequiredService<ITenantCrypto>();
        var contexts = app.Services.GetRequiredService<IDbContextFactory<ContactoDbContext>>();
        var later = DateTimeOffset.UtcNow.AddHours(1);
        var deliveries = new List<WebhookDelivery>(count);
        var created = DateTimeOffset.UtcNow.AddMinutes(-1);
        for (var a = 0; a < accounts.Count; a++)
        {
            using var keys = await crypto.LeaseKeysAsync(accounts[a], CancellationToken.None);
            var url = receiver.Url(a, tls, a);
            for (var m = 0; m < count / 3 / accounts.Count; m++)
            {
                var message = Guid.CreateVersion7();
                foreach (var (status, step) in new[] { ("queued", 0), ("sent", 1), ("delivered", 2) })
                {
                    var delivery = outbox.Prepare(keys, message.ToString(), url, "POST", Fields(message, status), created.AddMilliseconds(step));
                    delivery.NextAttemptAt = later;
                    deliveries.Add(delivery);
                }
            }
        }
        await using (var db = contexts.CreateDbContext())
        {
            await using var transaction = await db.Database.BeginTransactionAsync();
            foreach (var chunk in deliveries.Chunk(5000))
                await BulkInsert.InsertAsync(db, chunk, CancellationToken.None);
            await transaction.CommitAsync();
            // A table that grew by the whole run in one go: give the planner the statistics autovacuum would gather.
            if (db.Database.IsNpgsql())
                await db.Database.ExecuteSqlRawAsync("ANALYZE webhook_deliveries");
        }
        var before = Interlocked.Read(ref settled);
        var clock = Stopwatch.StartNew();
        await using (var db = contexts.CreateDbContext())
            await db.Set<WebhookDelivery>().Where(d => d.State == DeliveryState.Pending).ExecuteUpdateAsync(s => s.SetProperty(d => d.NextAttemptAt, DateTimeOffset.UtcNow));
        outbox.Notify();
        using var tick = new PeriodicTimer(TimeSpan.FromMilliseconds(10));
        var deadline = Stopwatch.StartNew();
        while (Interlocked.Read(ref settled) - before < deliveries.Count && deadline.Elapsed < TimeSpan.FromMinutes(10))
            await tick.WaitForNextTickAsync();
        var elapsed = clock.Elapsed;
        await using (var db = contexts.CreateDbContext())
        {
            var delivered = await db.Set<WebhookDelivery>().CountAsync(d => d.State == DeliveryState.Delivered);
            var pending = await db.Set<WebhookDelivery>().CountAsync(d => d.State != DeliveryState.Delivered);
            if (pending > 0)
                throw new InvalidOperationException($"{pending} callbacks not delivered ({delivered} delivered)");
        }
        return deliveries.Count / elapsed.TotalSeconds;
    }

    public async ValueTask DisposeAsync()
    {
        listener.Dispose();
        await app.StopAsync();
        await app.DisposeAsync();
        storage.Dispose();
    }
}
