using Contacto.Sip.Fuzzing;
using Contacto.Sip.Tests.Support;
using Contacto.Sip.Transport;

namespace Contacto.Sip.Tests.Fuzz;

/// <summary>
/// Fuzz at a live user agent over UDP and TCP (a bounded number per run; the runner under bench/
/// does a million): it keeps answering, what the fuzz started (transactions, dialogs,
/// connections) ends, and memory after a second round is where it was after the first.
/// </summary>
public sealed class LiveEndpointFuzzTests
{
    [Fact]
    public async Task TheEndpointSurvivesKeepsAnsweringAndItsMemoryStaysFlat()
    {
        var errors = new ErrorLog();
        await using var endpoint = SipLiveFuzz.Start(errors);
        var random = new Random(31337);

        await RoundAsync(endpoint, random);
        var afterFirst = GC.GetTotalMemory(forceFullCollection: true);
        await RoundAsync(endpoint, random);
        var afterSecond = GC.GetTotalMemory(forceFullCollection: true);

        Assert.True(await endpoint.AnswersOptionsAsync(SipTransports.Udp).WaitAsync(Loopback.Patience));
        Assert.True(await endpoint.AnswersOptionsAsync(SipTransports.Tcp).WaitAsync(Loopback.Patience));
        Assert.True(endpoint.Counters.Refused > 100, $"{endpoint.Counters.Refused} refused");
        Assert.True(endpoint.Counters.Received > 100, $"{endpoint.Counters.Received} received");
        Assert.InRange(afterSecond - afterFirst, long.MinValue, 4 * 1024 * 1024);
        Assert.True(endpoint.Counters.HandlerFailures == 0, string.Join("\n", errors.Errors.Distinct().Take(5)));
    }

    private static async Task RoundAsync(SipLiveFuzz endpoint, Random random)
    {
        await endpoint.SendDatagramsAsync(2_000, random);
        await endpoint.SendStreamsAsync(40, 20, random);
        // Everything the fuzz started ends by itself: transactions by their timers, dialogs without ACK by BYE, connections when idle.
        await Loopback.WaitForAsync(() => endpoint.Agent.Transactions.Count == 0 && endpoint.Agent.DialogCount == 0 && endpoint.Connections == 0);
    }

    /// <summary>Keeps the exceptions logged as errors, to show what a handler threw.</summary>
    private sealed class ErrorLog : Microsoft.Extensions.Logging.ILogger
    {
        public System.Collections.Concurrent.ConcurrentBag<string> Errors { get; } = [];

        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(Microsoft.Extensions.Logging.LogLevel logLevel) => logLevel >= Microsoft.Extensions.Logging.LogLevel.Error;

        public void Log<TState>(Microsoft.Extensions.Logging.LogLevel logLevel, Microsoft.Extensions.Logging.EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (exception is not null)
            {
                Errors.Add($"{exception.GetType().Name}: {exception.Message} {exception.StackTrace?.Split('\n').FirstOrDefault()}");
            }
        }
    }
}
