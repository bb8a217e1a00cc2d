using System.Collections.Concurrent;
using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Contacto.Carriers;
using Contacto.Carriers.Sip;
using Contacto.CarrierSim.Sip;
using Contacto.Sip.Tests.Support;
using Contacto.Sip.Transport;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

// dotnet run -c Release --project bench/Contacto.Trunks.Bench -- [all|calls|failover] [calls/s, 500] [seconds, 15]
// calls: signalling-only calls (INVITE, 200, ACK, BYE) between Contacto and SIPp both ways, against SIPp calling SIPp.
// failover: a trunk silenced, then one killed, under a steady load of calls; detection, first call through the other, calls lost.
var mode = args.Length > 0 ? args[0] : "all";
var rate = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 500;
var seconds = args.Length > 2 ? int.Parse(args[2], CultureInfo.InvariantCulture) : 15;
if (mode is not ("all" or "calls" or "failover"))
{
    Console.Error.WriteLine("usage: [all|calls|failover] [calls/s] [seconds]");
    return 2;
}
Console.WriteLine($"{Environment.ProcessorCount} cores, load average {LoadAverage()}");
if (mode is "all" or "calls")
    await CallRates.RunAsync(rate, seconds);
if (mode is "all" or "failover")
    await Failover.RunAsync();
Console.WriteLine($"load average {LoadAverage()}");
return 0;

static string LoadAverage() => string.Join(" ", File.ReadAllText("/proc/loadavg").Split(' ').Take(3));

/// <summary>A node's carriers with SIP trunks only, as the server wires them, without storage or HTTP.</summary>
sealed class Node : IAsyncDisposable
{
    public const string MeterName = "Contacto.Carriers";

    readonly IHost host;
    readonly MeterListener links = new();

    Node(IHost host)
    {
        this.host = host;
        links.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Meter.Name == MeterName && instrument.Name == "contacto.carrier.bind.changes")
                listener.EnableMeasurementEvents(instrument);
        };
        links.SetMeasurementEventCallback<long>((_, _, tags, _) =>
        {
            string? carrier = null, state = null;
            foreach (var tag in tags)
                (carrier, state) = tag.Key == "carrier" ? ((string?)tag.Value, state) : tag.Key == "state" ? (carrier, (string?)tag.Value) : (carrier, state);
            LinkChanges.Enqueue((Stopwatch.GetTimestamp(), carrier ?? "", state ?? ""));
        });
        links.Start();
    }

    /// <summary>Every link change since start: when, which trunk, what state.</summary>
    public ConcurrentQueue<(long At, string Carrier, string State)> LinkChanges { get; } = new();

    public CarrierRouter Router => host.Services.GetRequiredService<CarrierRouter>();

    public IPEndPoint Udp => host.Services.GetRequiredService<SipListeners>().Udp!;

    /// <param name="trunks">Each trunk's name, port and transport (udp or tcp), on 127.0.0.1.</param>
    public static async Task<Node> StartAsync((string Name, int Port, string Transport)[] trunks, ICarrierCallSink? calls = null)
    {
        var settings = new Dictionary<string, string?> { ["Sip:Listen:Udp"] = "127.0.0.1:0", ["Sip:Listen:Tcp"] = "127.0.0.1:0", ["Sip:Listen:Tls"] = "" };
        foreach (var ((name, port, transport), i) in trunks.Select((t, i) => (t, i)))
        {
            var key = $"Carriers:List:{i}:";
            (settings[key + "Name"], settings[key + "Protocol"], settings[key + "Host"], settings[key + "Port"]) = (name, "sip", "127.0.0.1", port.ToString(CultureInfo.InvariantCulture));
            (settings[key + "Tls"], settings[key + "Sip:Transport"], settings[key + "Sip:Inbound:Networks:0"]) = ("false", transport, "127.0.0.1");
        }
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true, EnvironmentName = "Development" });
        builder.Configuration.AddInMemoryCollection(settings);
        builder.Services.AddSingleton(TimeProvider.System);
        builder.Services.AddSingleton<ICarrierReceiptSink, NoSinks>();
        builder.Services.AddSingleton<ICarrierMessageSink, NoSinks>();
        if (calls is not null)
            builder.Services.AddSingleton(calls);
        builder.Services.AddOptions<Contacto.Status.StatusOptions>();
        builder.Services.AddMetrics();
        builder.Services.AddContactoCarriers();
        builder.Services.AddContactoSipListener();
        builder.Services.AddContactoCarrierWorkers();
        var node = new Node(builder.Build());
        await node.host.StartAsync();
        return node;
    }

    /// <summary>Waits until each named trunk's link has come up.</summary>
    public async Task WaitUntilUpAsync(params string[] names)
    {
        var deadline = Stopwatch.GetTimestamp() + 30 * Stopwatch.Frequency;
        while (!names.All(n => LinkChanges.Any(c => c.Carrier == n && c.State == "up")))
        {
            if (Stopwatch.GetTimestamp() > deadline)
                throw new TimeoutException("trunks did not come up");
            await Task.Delay(20);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await host.StopAsync();
        host.Dispose();
        links.Dispose();
    }

    sealed class NoSinks : ICarrierReceiptSink, ICarrierMessageSink
    {
        public Task AcceptAsync(CarrierReceipt receipt, CancellationToken cancellationToken) => Task.CompletedTask;
        public Task AcceptAsync(InboundSms message, CancellationToken cancellationToken) => Task.CompletedTask;
    }
}

/// <summary>Answers every offered call at once (signalling only: the SDP names a port nobody listens on).</summary>
sealed class AnswerAtOnce : ICarrierCallSink
{
    public static readonly byte[] Sdp = Encoding.ASCII.GetBytes(
        "v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\nm=audio 9 RTP/AVP 0\r\na=rtpmap:0 PCMU/8000\r\n");

    public Task OfferAsync(InboundCall call, CancellationToken cancellationToken)
    {
        call.Accept(Sdp);
        return Task.CompletedTask;
    }
}

/// <summary>Signalling calls per second and set-up latency, Contacto against SIPp, with SIPp against itself as the baseline.</summary>
static class CallRates
{
    public static async Task RunAsync(int rate, int seconds)
    {
        var calls = rate * seconds;
        Console.WriteLine($"Signalling calls (INVITE, 200, ACK, BYE over UDP): {calls:N0} calls offered at {rate}/s");
        Console.WriteLine("| caller -> callee | calls/s | failed | set-up p50 | p99 | max | CPU per call, this process |");
        Console.WriteLine("| --- | --- | --- | --- | --- | --- | --- |");

        // Baseline: SIPp's uac calling SIPp's uas, the floor of what the machine and SIPp do.
        using (var uas = new Sipp())
        {
            var port = Sipp.FreePort(ProtocolType.Udp);
            using var callee = uas.Start("-sn", "uas", "-i", "127.0.0.1", "-p", port.ToString(CultureInfo.InvariantCulture));
            Print("SIPp -> SIPp", await SippCallsAsync(new IPEndPoint(IPAddress.Loopback, port), rate, calls), null);
        }

        // SIPp calls a Contacto node as its trunk; the node answers every call at once.
        await using (var node = await Node.StartAsync([("sipp", Sipp.FreePort(ProtocolType.Udp), "udp")], new AnswerAtOnce()))
        {
            var cpu = Cpu();
            var run = await SippCallsAsync(node.Udp, rate, calls);
            Print("SIPp -> Contacto", run, (Cpu() - cpu) / calls);
        }

        // A Contacto node calls SIPp's uas as its trunk, open loop, and hangs up at the answer.
        using (var uas = new Sipp())
        {
            var port = Sipp.FreePort(ProtocolType.Udp);
            using var callee = uas.Start("-sn", "uas", "-i", "127.0.0.1", "-p", port.ToString(CultureInfo.InvariantCulture), "-aa");
            await using var node = await Node.StartAsync([("sipp", port, "udp")]);
            await node.WaitUntilUpAsync("sipp");
            var cpu = Cpu();
            var run = await ContactoCallsAsync(node, rate, calls);
            Print("Contacto -> SIPp", run, (Cpu() - cpu) / calls);
        }
    }

    static async Task<(double Rate, int Failed, double[] SetUp)> SippCallsAsync(IPEndPoint callee, int rate, int calls)
    {
        using var sipp = new Sipp();
        var clock = Stopwatch.StartNew();
        using var run = sipp.Start("-sn", "uac", callee.ToString(), "-i", "127.0.0.1", "-p", Sipp.FreePort(ProtocolType.Udp).ToString(CultureInfo.InvariantCulture),
            "-r", rate.ToString(CultureInfo.InvariantCulture), "-m", calls.ToString(CultureInfo.InvariantCulture), "-l", "5000", "-trace_rtt", "-rtt_freq", "100");
        var result = await run.WaitAsync();
        var elapsed = clock.Elapsed.TotalSeconds;
        // -trace_rtt: one line per call, "date;response time in ms;rtd number", INVITE to 200.
        var setUp = Directory.GetFiles(sipp.Folder, "*_rtt.csv").SelectMany(File.ReadAllLines)
            .Select(l => l.Split(';')).Where(f => f.Length >= 2 && double.TryParse(f[1], CultureInfo.InvariantCulture, out _))
            .Select(f => double.Parse(f[1], CultureInfo.InvariantCulture)).ToArray();
        var succeeded = result.Statistics.Count > 0 ? result.Count("SuccessfulCall(C)") : 0;
        return (succeeded / elapsed, calls - succeeded, setUp);
    }

    static async Task<(double Rate, int Failed, double[] SetUp)> ContactoCallsAsync(Node node, int rate, int calls)
    {
        var setUp = new ConcurrentBag<double>();
        var failed = 0;
        var running = new List<Task>(calls);
        var start = Stopwatch.GetTimestamp();
        for (var i = 0; i < calls; i++)
        {
            // Open loop: each call starts on schedule, and its set-up counts from then.
            var due = start + i * Stopwatch.Frequency / rate;
            var wait = Stopwatch.GetElapsedTime(Stopwatch.GetTimestamp(), due);
            if (wait > TimeSpan.FromMilliseconds(1))
                await Task.Delay(wait);
            running.Add(Task.Run(async () =>
            {
                var outcome = await node.Router.SendAsync("PT", new CallRequest("+351912000001", "+351913000001", AnswerAtOnce.Sdp), CancellationToken.None);
                setUp.Add(Stopwatch.GetElapsedTime(due).TotalMilliseconds);
                if (outcome.Call is { } call)
                    await call.HangUpAsync();
                else
                    Interlocked.Increment(ref failed);
            }));
        }
        await Task.WhenAll(running);
        return (calls / Stopwatch.GetElapsedTime(start).TotalSeconds, failed, [.. setUp]);
    }

    /// <summary>CPU time this process has used: the node's, so that a figure survives a busy machine.</summary>
    static TimeSpan Cpu() => Process.GetCurrentProcess().TotalProcessorTime;

    static void Print(string path, (double Rate, int Failed, double[] SetUp) run, TimeSpan? cpuPerCall)
    {
        Array.Sort(run.SetUp);
        string At(double q) => run.SetUp.Length == 0 ? "-" : $"{run.SetUp[Math.Min(run.SetUp.Length - 1, (int)(q * run.SetUp.Length))]:F1} ms";
        Console.WriteLine($"| {path} | {run.Rate:F0} | {run.Failed} | {At(0.5)} | {At(0.99)} | {(run.SetUp.Length == 0 ? "-" : $"{run.SetUp[^1]:F1} ms")} | "
            + $"{(cpuPerCall is { } cpu ? $"{cpu.TotalMicroseconds:F0} µs" : "(SIPp)")} |");
    }
}

/// <summary>
/// Trunk failover under a steady load: two simulated trunks answer every call 300 ms after 100
/// Trying; halfway through, trunk a goes silent (UDP), or its process dies (TCP: its sockets
/// close). Detection is the kill to a's link down; the first failed-over call is the first call a
/// had taken that was then answered through b; a call is lost when it was not answered at all.
/// With ringing (180 before the answer) a call that rang at a when it died is not rung again through b.
/// </summary>
static class Failover
{
    const int Rate = 100;
    static readonly TimeSpan Length = TimeSpan.FromSeconds(6);
    static readonly TimeSpan AnswerAfter = TimeSpan.FromMilliseconds(300);

    public static async Task RunAsync()
    {
        Console.WriteLine();
        Console.WriteLine($"Trunk failover: {Rate} calls/s for {Length.TotalSeconds:F0} s over trunks a and b (each answers {AnswerAfter.TotalMilliseconds:F0} ms after 100 Trying), a fails at half time");
        Console.WriteLine("| failure | ringing | detection | first call through b | in flight at a when it failed | failed over | lost (not yet answered) | rang at a, ended |");
        Console.WriteLine("| --- | --- | --- | --- | --- | --- | --- | --- |");
        foreach (var (dead, ringing) in new[] { (false, false), (true, false), (false, true) })
            await RunOnceAsync(dead, ringing);
    }

    static async Task RunOnceAsync(bool dead, bool ringing)
    {
        var transport = dead ? SipTransports.Tcp : SipTransports.Udp;
        var options = new SipTrunkSimulatorOptions { TcpPort = dead ? 0 : null, UdpPort = 0, Ring = ringing, RingFor = AnswerAfter };
        var a = new SipTrunkSimulator(options);
        await using var b = new SipTrunkSimulator(options);
        a.Start();
        b.Start();
        var atA = new ConcurrentDictionary<string, long>();
        a.CallReceived += call => atA.TryAdd(call.From, Stopwatch.GetTimestamp());
        await using var node = await Node.StartAsync([("a", a.Port(transport), transport.ToLowerInvariant()), ("b", b.Port(transport), transport.ToLowerInvariant())]);
        await node.WaitUntilUpAsync("a", "b");

        var calls = (int)(Rate * Length.TotalSeconds);
        var results = new (long Start, long End, CarrierOutcome Outcome)[calls];
        var running = new List<Task>(calls);
        var start = Stopwatch.GetTimestamp();
        long failedAt = 0;
        for (var i = 0; i < calls; i++)
        {
            var due = start + i * Stopwatch.Frequency / Rate;
            var wait = Stopwatch.GetElapsedTime(Stopwatch.GetTimestamp(), due);
            if (wait > TimeSpan.FromMilliseconds(1))
                await Task.Delay(wait);
            if (i == calls / 2)
            {
                failedAt = Stopwatch.GetTimestamp();
                if (dead)
                    await a.DisposeAsync();
                else
                    a.Options = a.Options with { Silent = true };
            }
            var index = i;
            running.Add(Task.Run(async () =>
            {
                var outcome = await node.Router.SendAsync("PT", new CallRequest(Caller(index), "+351913000001", AnswerAtOnce.Sdp), CancellationToken.None);
                results[index] = (due, Stopwatch.GetTimestamp(), outcome);
                // Not waited for: a BYE to the trunk that died is retransmitted for 32 s before it is given up.
                if (outcome.Call is { } call)
                    _ = call.HangUpAsync();
            }));
        }
        await Task.WhenAll(running);
        if (!dead)
            await a.DisposeAsync();

        var down = node.LinkChanges.Where(c => c.Carrier == "a" && c.State == "down" && c.At > failedAt).Select(c => c.At).DefaultIfEmpty().Min();
        // In flight at a: calls a had taken that were not answered when it failed.
        var inFlight = Enumerable.Range(0, calls).Where(i => atA.TryGetValue(Caller(i), out var at) && at <= failedAt && results[i].End > failedAt).ToList();
        var failedOver = Enumerable.Range(0, calls).Where(i => atA.ContainsKey(Caller(i)) && results[i].Outcome.Carrier == "b").ToList();
        var firstThroughB = failedOver.Select(i => results[i].End).DefaultIfEmpty().Min();
        var rangAndEnded = inFlight.Count(i => results[i].Outcome.Kind == CarrierOutcomeKind.Refused && results[i].Outcome.Error == CarrierError.TemporarilyUnavailable);
        var lost = Enumerable.Range(0, calls).Count(i => results[i].Outcome.Kind != CarrierOutcomeKind.Accepted) - rangAndEnded;
        string After(long at) => at == 0 ? "-" : $"{Stopwatch.GetElapsedTime(failedAt, at).TotalMilliseconds:F0} ms";
        Console.WriteLine($"| {(dead ? "dead (TCP)" : "silent (UDP)")} | {(ringing ? "yes" : "no")} | {After(down)} | {(failedOver.Count == 0 ? "none" : After(firstThroughB))} | {inFlight.Count} | {failedOver.Count} | {lost} | {rangAndEnded} |");
    }

    static string Caller(int index) => $"+3519100{index:D5}";
}
