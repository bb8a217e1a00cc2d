// The public status page under a storm, on SQLite and on PostgreSQL, with TLS, encryption and audit
// on: requests/s and p99 latency of the status JSON, the summary and the HTML page, against the
// same server answering a 404 in the same run (the HTTP and TLS stack's own cost), then the same
// JSON while a child process holds open event streams, and how long one change takes to reach
// every stream. wrk (Debian's) is the load client; it is installed when missing.
//   dotnet run -c Release --project bench/Contacto.Status.Bench -- [seconds] [connections] [--streams N] [--sqlite | --postgresql]
using System.Diagnostics;
using System.Globalization;
using System.Net.ServerSentEvents;
using System.Text.RegularExpressions;
using Contacto.Storage;
using Contacto.Testing;

[assembly: System.Runtime.Versioning.SupportedOSPlatform("linux")]

if (args.Length > 0 && args[0] == "--stream-client")
    return await StreamClient.RunAsync(args[1], args[2], int.Parse(args[3], CultureInfo.InvariantCulture));

var positional = args.Where((a, i) => !a.StartsWith("--") && (i == 0 || !args[i - 1].StartsWith("--"))).ToArray();
string? Option(string name) => Array.IndexOf(args, name) is var i and >= 0 && i + 1 < args.Length ? args[i + 1] : null;
var seconds = positional.Length > 0 ? int.Parse(positional[0], CultureInfo.InvariantCulture) : 10;
var connections = positional.Length > 1 ? int.Parse(positional[1], CultureInfo.InvariantCulture) : 100;
var streams = Option("--streams") is { } n ? int.Parse(n, CultureInfo.InvariantCulture) : 10_000;
StorageProvider[] providers = args.Contains("--sqlite") ? [StorageProvider.Sqlite]
    : args.Contains("--postgresql") ? [StorageProvider.PostgreSql] : [StorageProvider.Sqlite, StorageProvider.PostgreSql];

Wrk.EnsureInstalled();
Console.WriteLine($"Status page under load: wrk, {connections} connections, {seconds} s a run, TLS; {streams:N0} event streams; " +
    $"{Environment.ProcessorCount} cores, load average {File.ReadAllText("/proc/loadavg").Split(' ')[0]} at start");
var rows = new List<string>();
foreach (var provider in providers)
{
    using var storage = await TestStorage.CreateAsync(provider);
    // Every stream and wrk connection comes from this one machine: lift the per-source connection limit.
    await using var status = await StatusServer.StartAsync(storage, ["--Logging:LogLevel:Default", "Error", "--Listen:MaxConnectionsPerSource", "100000"]);
    await SeedAsync(status);
    var root = $"https://127.0.0.1:{status.Server.PublicPort}";
    Wrk.Result Run(string path, string label, string? acceptEncoding = null)
    {
        Wrk.Run(root + path, connections, 2, acceptEncoding); // warm-up, not counted
        var result = Wrk.Run(root + path, connections, seconds, acceptEncoding);
        Console.WriteLine($"{provider}: {label,-28} {result.RequestsPerSecond,9:N0} requests/s  p50 {result.P50,6:F2} ms  p99 {result.P99,6:F2} ms  non-2xx/3xx {result.Errors}");
        return result;
    }
    var baseline = Run("/no-such-page", "404 (baseline)");
    var json = Run("/api/v2/status.json", "/api/v2/status.json");
    var summary = Run("/api/v2/summary.json", "/api/v2/summary.json");
    var page = Run("/status", "/status");
    var pageCompressed = Run("/status", "/status, br as browsers ask", "gzip, deflate, br");
    var feed = Run("/history.atom", "/history.atom");

    var held = await StreamHolder.StartAsync(root, status.Server.CaPath, streams);
    Console.WriteLine($"{provider}: {streams:N0} event streams open in {held.OpenSeconds:F1} s");
    var underStreams = Run("/api/v2/status.json", $"status.json, {streams / 1000}k streams");
    var fanOut = await held.ChangeAsync(() => status.Staff.PostJsonAsync("/ops/components/sms-pt", new { status = "major_outage" }));
    Console.WriteLine($"{provider}: one change reached all {streams:N0} streams in {fanOut.TotalMilliseconds:F0} ms");
    await held.DisposeAsync();

    rows.Add($"| {provider} | {baseline.RequestsPerSecond:N0} / {baseline.P99:F1} | {json.RequestsPerSecond:N0} / {json.P99:F1} ({json.RequestsPerSecond / baseline.RequestsPerSecond:F2}) " +
        $"| {summary.RequestsPerSecond:N0} / {summary.P99:F1} | {page.RequestsPerSecond:N0} / {page.P99:F1} ({page.RequestsPerSecond / baseline.RequestsPerSecond:F2}) " +
        $"| {pageCompressed.RequestsPerSecond:N0} / {pageCompressed.P99:F1} ({pageCompressed.RequestsPerSecond / baseline.RequestsPerSecond:F2}) " +
        $"| {feed.RequestsPerSecond:N0} / {feed.P99:F1} | {underStreams.RequestsPerSecond:N0} / {underStreams.P99:F1} | {fanOut.TotalMilliseconds:F0} ms |");
}
Console.WriteLine();
Console.WriteLine($"requests/s / p99 ms ({Environment.ProcessorCount} cores, {connections} connections, ratio to the 404 baseline in brackets)");
Console.WriteLine($"| storage | 404 baseline | status.json | summary.json | /status page | /status, br | history.atom | status.json, {streams:N0} streams open | change to all streams |");
Console.WriteLine("| --- | --- | --- | --- | --- | --- | --- | --- | --- |");
rows.ForEach(Console.WriteLine);
return 0;

// A page with some history: open and resolved incidents with several updates, and a maintenance window.
static async Task SeedAsync(StatusServer status)
{
    for (var i = 0; i < 8; i++)
    {
        var (_, incident) = await status.Staff.PostJsonAsync("/ops/incidents", new { name = $"SMS delays to Portugal ({i})", body = "Receipts are late.", component_ids = "sms-pt" });
        if (i == 0)
            continue;
        await status.Staff.PostJsonAsync($"/ops/incidents/{incident.Str("id")}/updates", new { status = "identified", body = "A carrier's queue is full." });
        await status.Staff.PostJsonAsync($"/ops/incidents/{incident.Str("id")}/updates", new { status = "resolved", body = "Queues drained." });
    }
    var from = DateTimeOffset.UtcNow.AddDays(2);
    await status.Staff.PostJsonAsync("/ops/maintenances", new
    {
        name = "Database upgrade", body = "A short read-only window.", scheduled_for = from.ToString("O"), scheduled_until = from.AddHours(1).ToString("O"), component_ids = "api",
    });
}

static class Wrk
{
    public sealed record Result(double RequestsPerSecond, double P50, double P99, long Errors);

    public static void EnsureInstalled()
    {
        if (File.Exists("/usr/bin/wrk"))
            return;
        Console.WriteLine("Installing wrk from Debian's packages");
        Exec("apt-get", "update -qq");
        Exec("apt-get", "install -y -qq wrk");
    }

    public static Result Run(string url, int connections, int seconds, string? acceptEncoding)
    {
        var header = acceptEncoding is null ? "" : $"-H \"Accept-Encoding: {acceptEncoding}\" ";
        var output = Exec("/usr/bin/wrk", $"-t2 -c{connections} -d{seconds}s --latency --timeout 10s {header}{url}");
        double Latency(string percentile) => Regex.Match(output, $@"^\s+{percentile}%\s+([\d.]+)(us|ms|s)\s*$", RegexOptions.Multiline) is { Success: true } m
            ? double.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture) * m.Groups[2].Value switch { "us" => 0.001, "ms" => 1, _ => 1000 }
            : double.NaN;
        var rate = double.Parse(Regex.Match(output, @"Requests/sec:\s+([\d.]+)").Groups[1].Value, CultureInfo.InvariantCulture);
        var errors = Regex.Match(output, @"Non-2xx or 3xx responses: (\d+)") is { Success: true } e ? long.Parse(e.Groups[1].Value, CultureInfo.InvariantCulture) : 0;
        return new Result(rate, Latency("50"), Latency("99"), errors);
    }

    static string Exec(string file, string arguments)
    {
        using var process = Process.Start(new ProcessStartInfo(file, arguments) { RedirectStandardOutput = true, RedirectStandardError = true })!;
        var output = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        if (process.ExitCode != 0)
            throw new InvalidOperationException($"{file} {arguments} failed: {output} {process.StandardError.ReadToEnd()}");
        return output;
    }
}

/// <summary>
/// The streams live in a child process (this program with --stream-client): a process may hold
/// 20,000 files here, and the server's end of each stream is one already.
/// </summary>
sealed class StreamHolder : IAsyncDisposable
{
    readonly Process child;

    StreamHolder(Process child, double openSeconds) => (this.child, OpenSeconds) = (child, openSeconds);

    public double OpenSeconds { get; }

    public static async Task<StreamHolder> StartAsync(string root, string caPath, int streams)
    {
        var started = Stopwatch.GetTimestamp();
        var child = Process.Start(new ProcessStartInfo(Environment.ProcessPath!, ["--stream-client", root, caPath, streams.ToString(CultureInfo.InvariantCulture)])
        {
            RedirectStandardOutput = true,
            RedirectStandardInput = true,
        })!;
        var holder = new StreamHolder(child, 0);
        await holder.ExpectAsync("open");
        return new StreamHolder(child, Stopwatch.GetElapsedTime(started).TotalSeconds);
    }

    /// <summary>Makes a change and times it until every stream has its event.</summary>
    public async Task<TimeSpan> ChangeAsync(Func<Task> change)
    {
        var started = Stopwatch.GetTimestamp();
        await change();
        await ExpectAsync("changed");
        return Stopwatch.GetElapsedTime(started);
    }

    async Task ExpectAsync(string word)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(5));
        var line = await child.StandardOutput.ReadLineAsync(timeout.Token);
        if (line != word)
            throw new InvalidOperationException($"The stream client said '{line}', not '{word}'");
    }

    public async ValueTask DisposeAsync()
    {
        child.StandardInput.Close();
        await child.WaitForExitAsync();
        child.Dispose();
    }
}

/// <summary>
/// Opens the streams over HTTP/1.1, one connection each as separate browsers would, says "open"
/// once every stream has its first summary and "changed" once every stream has a second one, and
/// ends when its standard input closes.
/// </summary>
static class StreamClient
{
    public static async Task<int> RunAsync(string root, string caPath, int streams)
    {
        using var client = new HttpClient(new SocketsHttpHandler
        {
            SslOptions = { RemoteCertificateValidationCallback = CaTrust.Validator(caPath) },
            MaxConnectionsPerServer = int.MaxValue,
            PooledConnectionLifetime = Timeout.InfiniteTimeSpan,
        })
        { BaseAddress = new Uri(root), Timeout = Timeout.InfiniteTimeSpan };
        using var stop = new CancellationTokenSource();
        var first = 0;
        var second = 0;
        var allOpen = new TaskCompletionSource();
        var allChanged = new TaskCompletionSource();
        using var handshakes = new SemaphoreSlim(64);
        async Task HoldAsync()
        {
            await handshakes.WaitAsync();
            HttpResponseMessage response;
            try
            {
                response = await client.GetAsync("/status/stream", HttpCompletionOption.ResponseHeadersRead, stop.Token);
                response.EnsureSuccessStatusCode();
            }
            finally
            {
                handshakes.Release();
            }
            using (response)
            {
                var events = 0;
                await foreach (var item in SseParser.Create(await response.Content.ReadAsStreamAsync(stop.Token)).EnumerateAsync(stop.Token))
                {
                    if (++events == 1 && Interlocked.Increment(ref first) == streams)
                        allOpen.SetResult();
                    if (events == 2 && Interlocked.Increment(ref second) == streams)
                        allChanged.SetResult();
                }
            }
        }
        var holders = Enumerable.Range(0, streams).Select(_ => Task.Run(HoldAsync)).ToList();
        await allOpen.Task;
        Console.WriteLine("open");
        await allChanged.Task;
        Console.WriteLine("changed");
        await Console.In.ReadToEndAsync();
        await stop.CancelAsync();
        try
        {
            await Task.WhenAll(holders);
        }
        catch (OperationCanceledException)
        {
        }
        return 0;
    }
}
