// Call API figures on this machine: calls placed through the API (stored, audited, sealed),
// claimed by the call engine, routed to the simulated SIP trunks (SIP over TLS), answered, the
// application's XML fetched and run (Speak, then Wait while the trunk plays a tone: media both
// ways), hung up, and each CDR's hangup callback received. Prints, per storage provider:
//   POST Call to INVITE on the wire (p50/p99/max), against the router placing the same calls
//   directly (no API, database or engine) at the same rate in the same run;
//   the POST's own latency; calls completed, by hangup cause; the pacing loops' send lateness.
//   dotnet run -c Release --project bench/Contacto.Voice.Bench -- [calls/s, 50] [seconds, 20] [talk seconds, 4] [--sqlite | --postgresql]
using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using Contacto.Accounts;
using Contacto.Audit;
using Contacto.Carriers;
using Contacto.CarrierSim.Sip;
using Contacto.Media.Engine;
using Contacto.Numbers;
using Contacto.Server;
using Contacto.Storage;
using Contacto.Testing;
using Contacto.Tls;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

[assembly: System.Runtime.Versioning.SupportedOSPlatform("linux")]

var positional = args.Where(a => !a.StartsWith("--")).ToArray();
var rate = positional.Length > 0 ? int.Parse(positional[0]) : 50;
var seconds = positional.Length > 1 ? int.Parse(positional[1]) : 20;
var talk = positional.Length > 2 ? int.Parse(positional[2]) : 4;
StorageProvider[] providers = args.Contains("--sqlite") ? [StorageProvider.Sqlite]
    : args.Contains("--postgresql") ? [StorageProvider.PostgreSql] : [StorageProvider.Sqlite, StorageProvider.PostgreSql];
Console.WriteLine($"Calls through the API: {rate} calls/s for {seconds} s, {talk} s of media each way per call, " +
    $"{Environment.ProcessorCount} cores, load average {LoadAverage()} at start");
PostgresServer.Durable = true;
await using var application = await Application.StartAsync(talk);
foreach (var provider in providers)
{
    await using var run = await VoiceBench.StartAsync(provider, application, talk);
    await run.PlaceAsync(Math.Max(rate, 10), 3, direct: false); // warm-up: JIT, pools, the speech cache
    var direct = await run.PlaceAsync(rate, seconds, direct: true);
    var api = await run.PlaceAsync(rate, seconds, direct: false);
    Console.WriteLine($"{provider}: router alone, request to INVITE: {direct.Invite}");
    Console.WriteLine($"{provider}: through the API, POST Call to INVITE: {api.Invite}; p99 ratio to the router alone {api.InviteP99 / Math.Max(direct.InviteP99, 0.001):F1}");
    Console.WriteLine($"{provider}: POST Call answered (201) in {api.Post}");
    Console.WriteLine($"{provider}: {api.Placed} calls placed at {api.Offered:F1}/s, {api.Ended} ended within the wait: {api.Causes}; peak {api.PeakLive} live calls");
    Console.WriteLine($"{provider}: media send lateness p50 {api.LatenessP50:F1} ms, p99 {api.LatenessP99:F1} ms over {api.Frames:N0} packets");
}
Console.WriteLine($"load average {LoadAverage()} at end");
return 0;

static string LoadAverage() => string.Join(" ", File.ReadAllText("/proc/loadavg").Split(' ').Take(3));

/// <summary>What one phase measured.</summary>
sealed record Phase(string Invite, double InviteP99, string Post, int Placed, double Offered, int Ended, string Causes, int PeakLive,
    double LatenessP50, double LatenessP99, long Frames);

/// <summary>The customer's application on loopback: answers every call with Speak and a Wait, counts hangup callbacks by cause.</summary>
sealed class Application : IAsyncDisposable
{
    readonly WebApplication app;
    public ConcurrentDictionary<string, int> Causes { get; } = new();
    public int Hangups;

    Application(WebApplication app) => this.app = app;

    public string BaseUrl => app.Urls.First();

    public static async Task<Application> StartAsync(int talk)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        var app = builder.Build();
        var application = new Application(app);
        var answer = $"<Response><Speak>Thank you for calling.</Speak><Wait length=\"{talk}\"/></Response>";
        app.MapPost("/answer", () => Results.Text(answer, "application/xml"));
        app.MapPost("/hangup", async (HttpContext context) =>
        {
            var form = await context.Request.ReadFormAsync();
            application.Causes.AddOrUpdate(form["HangupCauseName"].ToString(), 1, (_, n) => n + 1);
            Interlocked.Increment(ref application.Hangups);
            return Results.Ok();
        });
        await app.StartAsync();
        return application;
    }

    public async ValueTask DisposeAsync() => await app.DisposeAsync();
}

sealed class VoiceBench : IAsyncDisposable
{
    static string Describe(List<double> milliseconds)
    {
        if (milliseconds.Count == 0)
            return "none";
        milliseconds.Sort();
        double At(double q) => milliseconds[Math.Min(milliseconds.Count - 1, (int)(q * milliseconds.Count))];
        return $"p50 {At(0.5):F1} ms, p99 {At(0.99):F1} ms, max {milliseconds[^1]:F1} ms ({milliseconds.Count})";
    }

    readonly WebApplication app;
    readonly HttpClient client;
    readonly string path;
    readonly Application application;
    readonly ConcurrentDictionary<string, long> invited = new();
    int sequence;

    VoiceBench(WebApplication app, HttpClient client, string path, Application application)
    {
        (this.app, this.client, this.path, this.application) = (app, client, path, application);
        var simulated = app.Services.GetRequiredService<SimulatedCarriers>();
        foreach (var name in SimulatedCarriers.TrunkNames)
            simulated.Trunk(name).CallReceived += call => invited.TryAdd(call.To.TrimStart('+'), Stopwatch.GetTimestamp());
    }

    public static async Task<VoiceBench> StartAsync(StorageProvider provider, Application application, int talk)
    {
        var storage = await TestStorage.CreateAsync(provider);
        string[] args =
        [
            .. storage.Arguments, "--public-url", "https://127.0.0.1:0", "--ops-url", "https://127.0.0.1:0",
            .. RunningServer.SipOnFreePorts, "--Webhooks:AllowedNetworks:0", "127.0.0.0/8",
            "--Log:Format", "Text", "--Logging:LogLevel:Default", "Error",
        ];
        var app = ContactoServer.Build(args);
        await ContactoServer.StartAsync(app, CancellationToken.None);
        var simulated = app.Services.GetRequiredService<SimulatedCarriers>();
        foreach (var name in SimulatedCarriers.TrunkNames)
            simulated.Trunk(name).Options = simulated.Trunk(name).Options with { PlayFor = TimeSpan.FromSeconds(talk) };
        var pool = app.Services.GetRequiredService<CarrierPool>();
        using (var ready = new CancellationTokenSource(TimeSpan.FromSeconds(30)))
            await Task.WhenAll(pool.Carriers.Where(c => c.Products.Contains(CarrierProducts.Voice)).Select(c => c.Connection.WaitUntilReadyAsync(ready.Token)));
        var (account, token) = await app.Services.GetRequiredService<AccountService>().CreateAsync("Voice bench", null, true, AuditActor.Operator, null, CancellationToken.None);
        await app.Services.GetRequiredService<NumberService>().AddAsync(account.Id, "+351912000001", "PT", "mobile", AuditActor.Operator, CancellationToken.None);
        var certificate = app.Services.GetRequiredService<ServerCertificateStore>().Current;
        var handler = new SocketsHttpHandler { MaxConnectionsPerServer = 256 };
        handler.SslOptions.RemoteCertificateValidationCallback = (_, presented, _, _) => presented?.GetCertHashString() == certificate.GetCertHashString();
        var client = new HttpClient(handler) { BaseAddress = new Uri($"https://127.0.0.1:{app.Services.GetRequiredService<BoundListeners>().PublicPort}") };
        client.DefaultRequestHeaders.Authorization = new("Basic", Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes($"{account.AuthId}:{token}")));
        return new VoiceBench(app, client, $"/v1/Account/{account.AuthId}/Call/", application);
    }

    /// <summary>
    /// Places calls at a fixed rate (open loop: a slow answer does not slow the next call) to
    /// destinations of their own, and measures each from its request to its INVITE at a trunk.
    /// Through the API, it then waits for every call's hangup callback.
    /// </summary>
    public async Task<Phase> PlaceAsync(int rate, int seconds, bool direct)
    {
        var media = app.Services.GetRequiredService<MediaEngine>();
        media.ResetSendLateness();
        var (hangupsBefore, count) = (application.Hangups, rate * seconds);
        application.Causes.Clear();
        var started = new ConcurrentDictionary<string, long>();
        var posts = new ConcurrentBag<double>();
        var live = app.Services.GetRequiredService<Contacto.Voice.LiveCalls>();
        var peak = 0;
        var clock = Stopwatch.StartNew();
        var calls = new List<Task>();
        for (var i = 0; i < count; i++)
        {
            var due = TimeSpan.FromSeconds((double)i / rate);
            if (due > clock.Elapsed)
                await Task.Delay(due - clock.Elapsed);
            peak = Math.Max(peak, live.Count);
            var to = $"3519{13000000 + Interlocked.Increment(ref sequence) % 1_000_000}";
            started[to] = Stopwatch.GetTimestamp();
            calls.Add(direct ? DirectAsync(to) : PostAsync(to, posts));
        }
        var offered = count / clock.Elapsed.TotalSeconds;
        await Task.WhenAll(calls);
        var ended = 0;
        if (!direct)
        {
            using var wait = new CancellationTokenSource(TimeSpan.FromSeconds(60));
            while ((ended = application.Hangups - hangupsBefore) < count && !wait.IsCancellationRequested)
            {
                peak = Math.Max(peak, live.Count);
                await Task.Delay(100);
            }
        }
        var invites = started.Where(s => invited.ContainsKey(s.Key)).Select(s => Stopwatch.GetElapsedTime(s.Value, invited[s.Key]).TotalMilliseconds).ToList();
        var p99 = invites.Count == 0 ? 0 : invites.Order().ElementAt(Math.Min(invites.Count - 1, (int)(0.99 * invites.Count)));
        var lateness = media.SendLateness();
        return new Phase(Describe(invites), p99, Describe([.. posts]), count, offered, ended,
            string.Join(", ", application.Causes.OrderByDescending(c => c.Value).Select(c => $"{c.Value} {c.Key}")), peak,
            lateness.Percentile(0.5).TotalMilliseconds, lateness.Percentile(0.99).TotalMilliseconds, lateness.Count);
    }

    async Task PostAsync(string to, ConcurrentBag<double> posts)
    {
        var clock = Stopwatch.StartNew();
        using var response = await client.PostAsJsonAsync(path, new
        {
            from = "351912000001", to, answer_url = $"{application.BaseUrl}/answer", hangup_url = $"{application.BaseUrl}/hangup",
        });
        posts.Add(clock.Elapsed.TotalMilliseconds);
        if (response.StatusCode != HttpStatusCode.Created)
            throw new InvalidOperationException($"POST Call answered {response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
    }

    /// <summary>The baseline: the carriers router places the call (an offer of its own, no media), answered and hung up at once.</summary>
    async Task DirectAsync(string to)
    {
        var offer = System.Text.Encoding.ASCII.GetBytes(
            "v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\nm=audio 40000 RTP/AVP 0 101\r\na=rtpmap:0 PCMU/8000\r\na=rtpmap:101 telephone-event/8000\r\n");
        var outcome = await app.Services.GetRequiredService<CarrierRouter>().SendAsync("PT", new CallRequest("+351912000001", "+" + to, offer), CancellationToken.None);
        if (outcome.Call is { } call)
            await call.HangUpAsync();
    }

    public async ValueTask DisposeAsync()
    {
        client.Dispose();
        await app.StopAsync();
        await app.DisposeAsync();
    }
}
