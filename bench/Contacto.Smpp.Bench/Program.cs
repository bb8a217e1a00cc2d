using System.Diagnostics;
using System.Globalization;
using Contacto.CarrierSim;
using Contacto.Smpp.Client;
using Contacto.Smpp.Protocol;
using Contacto.Smpp.Session;

// submit_sm throughput and latency over loopback, client to simulator, receipts on.
// Usage: dotnet run -c Release --project bench/Contacto.Smpp.Bench [-- MESSAGES [BINDS]]
var messages = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 200_000;
var binds = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 1;

Console.WriteLine($"submit_sm over loopback to the simulator, receipts on: {messages:N0} messages, {binds} bind(s), {Environment.ProcessorCount} cores");
Console.WriteLine($"{"window",8} {"submits/s",12} {"receipts/s",12} {"p50 ms",8} {"p99 ms",8}");
foreach (var window in new[] { 64, 256 })
{
    await using var simulator = new SmscSimulator();
    simulator.Start();
    var run = await SubmitRun.ExecuteAsync(simulator.Port, window, binds, messages / 10);
    run = await SubmitRun.ExecuteAsync(simulator.Port, window, binds, messages);
    Console.WriteLine($"{window,8} {run.SubmitsPerSecond,12:N0} {run.ReceiptsPerSecond,12:N0} {run.P50.TotalMilliseconds,8:F2} {run.P99.TotalMilliseconds,8:F2}");
}

/// <summary>One measured run: as many submitters as the window, each submitting in a loop.</summary>
internal sealed record SubmitRun(double SubmitsPerSecond, double ReceiptsPerSecond, TimeSpan P50, TimeSpan P99)
{
    public static async Task<SubmitRun> ExecuteAsync(int port, int window, int bindCount, int messages)
    {
        var receipts = 0;
        var allReceipts = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var carrier = new SmppCarrier(
            new SmppCarrierOptions
            {
                Name = "bench",
                Binds = [.. Enumerable.Range(1, bindCount).Select(i => new SmppBindOptions
                {
                    Name = $"bench#{i}", Host = "127.0.0.1", Port = port, SystemId = "bench", Password = "bench",
                    Connection = new SmppConnectionOptions { WindowSize = window, MaxInboundInFlight = window },
                })],
            },
            (message, _) =>
            {
                if (message.IsReceipt && Interlocked.Increment(ref receipts) == messages)
                {
                    allReceipts.TrySetResult();
                }
                return ValueTask.CompletedTask;
            });
        carrier.Start();
        await Task.WhenAll(carrier.Binds.Select(b => b.WaitUntilBoundAsync()));

        var latencies = new long[messages];
        var next = -1;
        var started = Stopwatch.GetTimestamp();
        await Task.WhenAll(Enumerable.Range(0, window * bindCount).Select(_ => Task.Run(async () =>
        {
            int index;
            while ((index = Interlocked.Increment(ref next)) < messages)
            {
                var submit = new SubmitSm
                {
                    Source = SmeAddress.Alphanumeric("Bench"),
                    Destination = SmeAddress.International("15550000000"),
                    RegisteredDelivery = SubmitSm.ReceiptOnFinalOutcome,
                    ShortMessage = "Benchmark message, GSM 7-bit, one segment."u8.ToArray(),
                };
                var sent = Stopwatch.GetTimestamp();
                var result = await carrier.SubmitAsync(submit);
                latencies[index] = Stopwatch.GetTimestamp() - sent;
                if (!result.IsAccepted)
                {
                    throw new InvalidOperationException($"submit refused: {result.Status}");
                }
            }
        })));
        var submitted = Stopwatch.GetElapsedTime(started);
        await allReceipts.Task.WaitAsync(TimeSpan.FromMinutes(2));
        var received = Stopwatch.GetElapsedTime(started);
        await carrier.StopAsync();

        Array.Sort(latencies);
        return new SubmitRun(
            messages / submitted.TotalSeconds,
            messages / received.TotalSeconds,
            Stopwatch.GetElapsedTime(0, latencies[messages / 2]),
            Stopwatch.GetElapsedTime(0, latencies[(int)(messages * 0.99)]));
    }
}
