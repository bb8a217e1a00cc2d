using System.Collections.Concurrent;
using System.Globalization;
using Contacto.CarrierSim;

namespace Contacto.Tests.Messaging;

/// <summary>
/// Two simulated carriers in the test process, outside the servers under test (they outlive a
/// server, and several servers share them, as real carriers are shared). They count submits by
/// destination (one per message in these tests) and are slowed by a rate limit, so that work is
/// queued and in flight at the moments that matter.
/// </summary>
public sealed class CountingCarriers : IAsyncDisposable
{
    readonly SmscSimulator[] simulators;
    readonly double transactionsPerSecond;
    readonly ConcurrentDictionary<string, int> submits = new();
    readonly TaskCompletionSource started = new(TaskCreationOptions.RunContinuationsAsynchronously);
    int threshold = int.MaxValue;

    public CountingCarriers(double transactionsPerSecond)
    {
        this.transactionsPerSecond = transactionsPerSecond;
        simulators = [.. Enumerable.Range(0, 2).Select(_ => new SmscSimulator(new SmscSimulatorOptions
        {
            Latency = TimeSpan.FromMilliseconds(20),
            ReceiptDelay = TimeSpan.FromMilliseconds(300),
        }))];
        foreach (var simulator in simulators)
        {
            simulator.SubmitReceived += OnSubmit;
            simulator.Start();
        }
    }

    /// <summary>Configuration for a server: these two carriers, each limited to the rate given.</summary>
    public string[] Arguments =>
    [
        .. simulators.SelectMany((s, i) => new[]
        {
            $"--Carriers:List:{i}:Name", $"counting-{i}", $"--Carriers:List:{i}:Host", "127.0.0.1",
            $"--Carriers:List:{i}:Port", s.Port.ToString(CultureInfo.InvariantCulture), $"--Carriers:List:{i}:Tls", "false",
            $"--Carriers:List:{i}:Smpp:SystemId", "contacto", $"--Carriers:List:{i}:Smpp:Password", "secret",
            $"--Carriers:List:{i}:Smpp:TransactionsPerSecond", transactionsPerSecond.ToString(CultureInfo.InvariantCulture),
        }),
    ];

    /// <summary>Destinations submitted at least once.</summary>
    public int Destinations => submits.Count;

    /// <summary>Submits beyond the first for the same destination.</summary>
    public int Duplicates => submits.Values.Sum(n => n - 1);

    public Task SubmittedAsync(int count)
    {
        Volatile.Write(ref threshold, count);
        if (submits.Count >= count)
            started.TrySetResult();
        return started.Task;
    }

    void OnSubmit(ReceivedSubmit submit)
    {
        submits.AddOrUpdate(submit.Pdu.Destination.Address, 1, (_, n) => n + 1);
        if (submits.Count >= Volatile.Read(ref threshold))
            started.TrySetResult();
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var simulator in simulators)
            await simulator.DisposeAsync();
    }
}
