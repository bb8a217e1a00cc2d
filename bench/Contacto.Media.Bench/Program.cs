// Concurrent calls over loopback. Each call is a Contacto leg in this process (the measured
// engine) and a phone in a child process (FarEnd), both on the same two cores: G.711 20 ms both
// ways, every Contacto leg recorded in stereo into chunks sealed with AES-256-GCM. Then RFC 4733
// digits across 1,000 calls. Prints the figures with the machine's cores and load average.
using System.Diagnostics;
using System.Globalization;
using System.Net;
using Contacto.Media.Audio;
using Contacto.Media.Engine;
using Contacto.Media.Recording;
using Contacto.Media.Sdp;

var priority = Enum.Parse<PacingPriority>(Option("--priority", nameof(PacingPriority.RealTime)));
var farEndPriority = Enum.Parse<PacingPriority>(Option("--far-end-priority", priority.ToString()));
if (args.Contains("--far-end"))
{
    await FarEnd.RunAsync(priority);
    return;
}

var cores = Environment.ProcessorCount;
var calls = Argument("--calls", 300 * cores);
var seconds = Argument("--seconds", 20);
var dtmfCalls = Argument("--dtmf-calls", 1000);

Console.WriteLine($"Contacto.Media bench: {cores} cores, load average {Bench.LoadAverage()}");
Console.WriteLine($"Phase 1: {calls} calls ({(double)calls / cores:0} per core) for {seconds} s, G.711 20 ms both ways, every call recorded (stereo, AES-256-GCM sealed chunks)");
await using (var farEnd = FarEndProcess.Start(farEndPriority))
await using (var contacto = Bench.Engine(16384, 24575, priority))
{
    var tone = new PcmAudio(Enumerable.Range(0, 8000).Select(i => (short)(4000 * Math.Sin(2 * Math.PI * 1000 * i / 8000))).ToArray());
    var legs = new List<(MediaSession Session, NegotiatedMedia Media, SealingSink Sink, CallRecording Recording, long SentBefore, bool StartExact)>();
    var ramp = Stopwatch.StartNew();
    foreach (var (index, offer) in (await farEnd.OfferAsync(calls)).Index())
    {
        var (session, answer, media) = Bench.Answer(contacto, offer);
        _ = session.PlayAsync(new PcmAudioSource(tone, loops: 0));
        var sink = new SealingSink();
        // The call audio is what the leg sent while it recorded, read on either side of the start
        // (and of the stop): where the loop sent a packet between the two reads, this thread was
        // held up and the figure is not exact to 20 ms; such calls are counted apart.
        var sentBefore = session.Quality.PacketsSent;
        var recording = session.StartRecording(new RecordingOptions { Audio = RecordedAudio.Both, Stereo = true }, sink);
        var sentAfter = session.Quality.PacketsSent;
        legs.Add((session, media, sink, recording, sentAfter, sentAfter == sentBefore));
        await farEnd.SendAsync($"answer {index} {Convert.ToBase64String(answer.ToBytes())}");
        if (index % 50 == 49)
        {
            await Task.Delay(100);      // calls arrive over a few seconds, not all in one tick
        }
    }
    Console.WriteLine($"  {calls} calls set up in {ramp.Elapsed.TotalSeconds:0.0} s; pacing loops scheduled {string.Join(", ", contacto.PacingLoopPriorities)}");
    // Every recording fills its first two chunks (64 KiB of stereo is 2 s) before the window, so
    // the chunk pool has what it needs from then on.
    await Task.Delay(4500);

    // The measured window: every figure is read at its two edges, nothing awaited in between.
    contacto.ResetSendLateness();
    var before = Snapshot.Take(contacto, farEnd.ProcessId);
    await Task.Delay(TimeSpan.FromSeconds(seconds));
    var lateness = contacto.SendLateness();
    var after = Snapshot.Take(contacto, farEnd.ProcessId);
    var measured = (after.Wall - before.Wall).TotalSeconds;
    var cpu = (after.Cpu - before.Cpu).TotalSeconds / measured;
    var farCpu = (after.FarCpu - before.FarCpu).TotalSeconds / measured;
    var skipped = after.SkippedTicks - before.SkippedTicks;
    var gcPause = after.GcPause - before.GcPause;
    var collections = Enumerable.Range(0, 3).Select(g => after.Collections[g] - before.Collections[g]).ToArray();
    var loadDuring = Bench.LoadAverage();

    // The recordings stop, then both sides stop sending (inactive, as after a re-INVITE) and the
    // last packets land before anything is counted.
    var callAudio = new List<(double Seconds, bool Exact)>();
    foreach (var leg in legs)
    {
        var sentBefore = leg.Session.Quality.PacketsSent;
        leg.Recording.Stop();
        var sentAfter = leg.Session.Quality.PacketsSent;
        callAudio.Add(((sentBefore - leg.SentBefore) * 0.020, leg.StartExact && sentAfter == sentBefore));
    }
    foreach (var leg in legs)
    {
        leg.Session.Apply(leg.Media with { Direction = MediaDirection.Inactive });
    }
    var far = await farEnd.StopAsync();
    long sent = 0, received = 0, dropped = 0, lost = 0;
    foreach (var leg in legs)
    {
        var quality = leg.Session.Quality;
        sent += quality.PacketsSent;
        received += quality.PacketsReceived;
        dropped += quality.DroppedPackets;
        lost += quality.PacketsLost;
    }
    var deviations = new List<double>();
    var mismatched = 0;
    var endedEarly = 0;
    for (var i = 0; i < legs.Count; i++)
    {
        var summary = await legs[i].Recording.Completion;
        var frames = legs[i].Sink.OpenAll(summary.Format);
        legs[i].Sink.Dispose();
        if (callAudio[i].Exact)
        {
            deviations.Add(Math.Abs(frames / 8000.0 - callAudio[i].Seconds) * 1000);
        }
        mismatched += summary.Frames == frames ? 0 : 1;
        endedEarly += summary.Reason == RecordingEndReason.Stopped ? 0 : 1;
    }
    var failed = legs.Where(l => l.Session.Failure is not null).ToList();
    if (failed.Count > 0)
    {
        Console.WriteLine($"  {failed.Count} legs failed; the first: {failed[0].Session.Failure}");
    }
    var within = lateness.ShareWithin(TimeSpan.FromMilliseconds(5));
    // A phone drops what Contacto sends before its answer arrives (an offerer's media starts with the answer).
    var lostOnLoopback = (sent - far.Received - far.Dropped) + (far.Sent - received - dropped);
    var due = calls * 50 * measured;
    Console.WriteLine($"  measured {measured:0.0} s, load average at its end {loadDuring}; Contacto sent {lateness.Count:N0} packets of {due:N0} due");
    Console.WriteLine($"  GC: {collections[0]}/{collections[1]}/{collections[2]} collections of generation 0/1/2, paused {gcPause.TotalMilliseconds:N0} ms; {(after.Allocated - before.Allocated) / measured / 1e6:0.0} MB/s allocated");
    Console.WriteLine($"  CPU: Contacto {cpu:0.00} cores ({100 * cpu / cores:0}% of {cores}); the far-end phones {farCpu:0.00} cores");
    // Calls served per core of CPU: the calls whose packets did go out, over the cores Contacto used.
    Console.WriteLine($"  calls per core: {(double)calls / cores:0} run on {cores} cores; {calls * Math.Min(1, lateness.Count / due) / cpu:0} served per core of CPU Contacto used");
    Console.WriteLine($"  packets: Contacto sent {sent:N0}, phones received {far.Received:N0}; phones sent {far.Sent:N0}, Contacto received {received:N0}");
    Console.WriteLine($"  lost on loopback: {lostOnLoopback:N0} (sent - received both ways; {far.Dropped:N0} came before the phone had the answer); RFC 3550 by sequence: toward phones {far.Lost:N0}, toward Contacto {lost:N0}");
    Console.WriteLine($"  send lateness: p50 {lateness.Percentile(0.50).TotalMilliseconds:0.0} ms, p99 {lateness.Percentile(0.99).TotalMilliseconds:0.0} ms, p99.9 {lateness.Percentile(0.999).TotalMilliseconds:0.0} ms; " +
        $"{100 * within:0.00}% of {lateness.Count:N0} sends no more than 5 ms late; ticks skipped {skipped}");
    Console.WriteLine($"  recordings: {legs.Count} decrypted, {mismatched} disagreeing with their summary, {endedEarly} ended before the stop; |recorded - call audio| max {deviations.DefaultIfEmpty().Max():0} ms, " +
        $"mean {deviations.DefaultIfEmpty().Average():0.0} ms over the {deviations.Count} calls whose start and stop were read exactly");
    var kept = failed.Count == 0 && lateness.Count >= 0.99 * due;
    Console.WriteLine($"  targets: {(double)calls / cores:0} calls/core kept up {(kept ? "met" : "NOT met")}, no loss {(lostOnLoopback == 0 && lost + far.Lost == 0 ? "met" : "NOT met")}, " +
        $"99% within 5 ms {(within >= 0.99 ? "met" : "NOT met")}, recording within 20 ms {(deviations.Count > 0 && deviations.Max() <= 20 && mismatched == 0 && endedEarly == 0 ? "met" : "NOT met")}");
    foreach (var leg in legs)
    {
        await leg.Session.DisposeAsync();
    }
}

if (dtmfCalls > 0)
{
    Console.WriteLine($"Phase 2: RFC 4733 digits across {dtmfCalls} calls, one digit each, load average {Bench.LoadAverage()}");
    await using var farEnd = FarEndProcess.Start(farEndPriority);
    await using var contacto = Bench.Engine(16384, 24575, priority);
    var sessions = new List<MediaSession>();
    foreach (var (index, offer) in (await farEnd.OfferAsync(dtmfCalls)).Index())
    {
        var (session, answer, _) = Bench.Answer(contacto, offer);
        sessions.Add(session);
        await farEnd.SendAsync($"answer {index} {Convert.ToBase64String(answer.ToBytes())}");
        if (index % 100 == 99)
        {
            await Task.Delay(100);
        }
    }
    await Task.Delay(1000);
    await farEnd.SendDigitsAsync();
    await Task.Delay(2000);         // long enough for a repeated end packet to show as a second digit
    int once = 0, missing = 0, extra = 0, wrong = 0;
    for (var i = 0; i < sessions.Count; i++)
    {
        var heard = new List<char>();
        while (sessions[i].Digits.TryRead(out var digit))
        {
            heard.Add(digit.Digit);
        }
        if (heard.Count == 0)
        {
            missing++;
        }
        else if (heard.Count > 1)
        {
            extra++;
        }
        else if (heard[0] != FarEnd.Keys[i % FarEnd.Keys.Length])
        {
            wrong++;
        }
        else
        {
            once++;
        }
    }
    Console.WriteLine($"  detected exactly once: {once} of {sessions.Count}; missed {missing}, more than once {extra}, wrong {wrong}; load average {Bench.LoadAverage()}");
    foreach (var session in sessions)
    {
        await session.DisposeAsync();
    }
}

int Argument(string name, int fallback) => int.Parse(Option(name, fallback.ToString(CultureInfo.InvariantCulture)), CultureInfo.InvariantCulture);

string Option(string name, string fallback)
{
    var index = Array.IndexOf(args, name);
    return index >= 0 && index + 1 < args.Length ? args[index + 1] : fallback;
}

/// <summary>What the measured window reads at its start and end.</summary>
internal sealed record Snapshot(TimeSpan Wall, TimeSpan Cpu, TimeSpan FarCpu, long SkippedTicks, TimeSpan GcPause, int[] Collections, long Allocated)
{
    private static readonly Stopwatch Clock = Stopwatch.StartNew();

    public static Snapshot Take(MediaEngine engine, int farEndProcessId)
    {
        using var far = Process.GetProcessById(farEndProcessId);
        using var self = Process.GetCurrentProcess();
        return new Snapshot(Clock.Elapsed, self.TotalProcessorTime, far.TotalProcessorTime, engine.SkippedTicks,
            GC.GetTotalPauseDuration(), Enumerable.Range(0, 3).Select(GC.CollectionCount).ToArray(), GC.GetTotalAllocatedBytes());
    }
}

internal static class Bench
{
    public static MediaEngine Engine(int min, int max, PacingPriority priority) => new(new MediaEngineOptions
    {
        BindAddress = IPAddress.Loopback,
        MinPort = min,
        MaxPort = max,
        EphemeralOverlap = Contacto.Media.Rtp.EphemeralOverlapPolicy.Warn,
        PacingPriority = priority,
    });

    /// <summary>Contacto's side of a call: a leg that answers the phone's offer.</summary>
    public static (MediaSession Session, SessionDescription Answer, NegotiatedMedia Media) Answer(MediaEngine engine, SessionDescription offer)
    {
        var session = engine.CreateSession();
        var (answer, media) = new SdpNegotiator(new MediaCapabilities(), IPAddress.Loopback, session.RtpPort).Answer(offer);
        session.Apply(media);
        return (session, answer, media);
    }

    public static string LoadAverage() => string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3));
}
