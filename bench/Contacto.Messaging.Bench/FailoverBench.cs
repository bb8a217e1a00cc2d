using System.Collections.Concurrent;
using System.Diagnostics;
using System.Diagnostics.Metrics;
using Contacto.Messaging;
using Contacto.Server;
using Microsoft.Extensions.DependencyInjection;

/// <summary>
/// One of the two simulated carriers fails halfway through a load, either killed (its listener and
/// connections gone, as when its process dies) or silenced (connected, answering nothing, not even
/// keep-alives). Prints the figures the failover promise is about: time to detection, time to the
/// first message the failed carrier had taken going through the other one, messages lost, and
/// messages submitted more than once.
/// </summary>
static class FailoverBench
{
    const string Failing = "sim-a";
    const string Other = "sim-b";

    /// <summary>As a real carrier's, so that submits are in flight when one fails.</summary>
    static readonly TimeSpan CarrierLatency = TimeSpan.FromMilliseconds(20);

    public static async Task RunAsync(BenchServer run, int messages, int concurrency, bool kill)
    {
        var simulated = run.Services.GetRequiredService<SimulatedCarriers>();
        var (failing, other) = (simulated[Failing], simulated[Other]);
        foreach (var simulator in new[] { failing, other })
            simulator.Options = simulator.Options with { Latency = CarrierLatency };
        var submits = new ConcurrentDictionary<string, int>();
        var tookAtFailing = new ConcurrentDictionary<string, byte>();
        long failedAt = 0;
        var detected = new TaskCompletionSource<long>(TaskCreationOptions.RunContinuationsAsynchronously);
        var firstFailedOver = new TaskCompletionSource<long>(TaskCreationOptions.RunContinuationsAsynchronously);
        var firstAfter = new TaskCompletionSource<long>(TaskCreationOptions.RunContinuationsAsynchronously);
        failing.SubmitReceived += submit =>
        {
            submits.AddOrUpdate(submit.Pdu.Destination.Address, 1, (_, n) => n + 1);
            tookAtFailing.TryAdd(submit.Pdu.Destination.Address, 0);
        };
        other.SubmitReceived += submit =>
        {
            submits.AddOrUpdate(submit.Pdu.Destination.Address, 1, (_, n) => n + 1);
            if (Volatile.Read(ref failedAt) == 0)
                return;
            firstAfter.TrySetResult(Stopwatch.GetTimestamp());
            if (tookAtFailing.ContainsKey(submit.Pdu.Destination.Address))
                firstFailedOver.TrySetResult(Stopwatch.GetTimestamp());
        };
        // Detection as the platform publishes it: its metric of link state changes.
        using var links = new MeterListener();
        links.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Meter.Name == "Contacto.Carriers" && instrument.Name == "contacto.carrier.bind.changes")
                listener.EnableMeasurementEvents(instrument);
        };
        links.SetMeasurementEventCallback<long>((_, _, tags, _) =>
        {
            string? carrier = null, state = null;
            foreach (var tag in tags)
                (carrier, state) = tag.Key switch { "carrier" => (tag.Value as string, state), "state" => (carrier, tag.Value as string), _ => (carrier, state) };
            if (carrier == Failing && state != "up" && Volatile.Read(ref failedAt) != 0)
                detected.TrySetResult(Stopwatch.GetTimestamp());
        });
        links.Start();

        Task failure = Task.CompletedTask;
        await run.SendAsync(messages, concurrency, onHalf: () =>
        {
            Volatile.Write(ref failedAt, Stopwatch.GetTimestamp());
            if (kill)
                failure = failing.DisposeAsync().AsTask();
            else
                failing.Options = failing.Options with { Silent = true };
        });
        await failure;
        var done = await run.WaitAsync(messages, [MessageStates.Sent, MessageStates.Delivered], TimeSpan.FromMinutes(5));

        string Since(TaskCompletionSource<long> moment) => moment.Task.IsCompleted
            ? $"{Stopwatch.GetElapsedTime(failedAt, moment.Task.Result).TotalMilliseconds:F0} ms"
            : "none";
        var duplicated = submits.Count(s => s.Value > 1);
        // Time to the first message the failed carrier had taken going through the other one; when
        // it had none in flight, to the first message the other one took after the failure.
        var firstThroughOther = firstFailedOver.Task.IsCompleted ? $"{Since(firstFailedOver)} (one {Failing} had taken)" : $"{Since(firstAfter)} (none was in flight at {Failing})";
        Console.WriteLine($"failover, {Failing} {(kill ? "killed" : "silenced")} after {messages / 2} of {messages} messages ({CarrierLatency.TotalMilliseconds:F0} ms carrier latency): " +
            $"detected {Since(detected)}, first message through {Other} {firstThroughOther}, " +
            $"lost {messages - done.Count}, duplicated {duplicated} (submitted more than once; {submits.Values.Sum() - submits.Count} extra submits)");
    }
}
