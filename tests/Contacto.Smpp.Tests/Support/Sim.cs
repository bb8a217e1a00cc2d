using Contacto.CarrierSim;
using Contacto.Smpp.Client;
using Contacto.Smpp.Session;

namespace Contacto.Smpp.Tests.Support;

/// <summary>Starts simulators and binds to them on loopback with test-friendly defaults.</summary>
internal static class Sim
{
    public const string SystemId = "acme";
    public const string Password = "s3cret";

    public static SmscSimulator Start(SmscSimulatorOptions? options = null, TimeProvider? time = null)
    {
        var simulator = new SmscSimulator(
            (options ?? new SmscSimulatorOptions()) with { Credentials = new Dictionary<string, string> { [SystemId] = Password } },
            time);
        simulator.Start();
        return simulator;
    }

    public static SmppBindOptions BindTo(SmscSimulator simulator, string name = "bind-1", string password = Password) => new()
    {
        Name = name,
        Host = "127.0.0.1",
        Port = simulator.Port,
        SystemId = SystemId,
        Password = password,
        ReconnectMinDelay = TimeSpan.FromMilliseconds(20),
        ReconnectMaxDelay = TimeSpan.FromMilliseconds(200),
        ThrottleRetryDelay = TimeSpan.FromMilliseconds(10),
        // Probes as often as in production, but a peer is declared dead only after 2 s unanswered
        // rather than 400 ms: a test process starting beside others can stall that long, and
        // the tests about dead peers can wait 2 s.
        Connection = new SmppConnectionOptions { ResponseTimeout = TimeSpan.FromSeconds(5), EnquireLinkTimeout = TimeSpan.FromSeconds(2) },
    };

    /// <summary>A handler that records inbound messages and signals when the wanted count has come.</summary>
    public sealed class Inbox(int expected = 1)
    {
        private readonly System.Collections.Concurrent.ConcurrentQueue<InboundMessage> _messages = new();
        private readonly TaskCompletionSource _complete = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public IReadOnlyCollection<InboundMessage> Messages => _messages;

        public ValueTask Handle(InboundMessage message, CancellationToken cancellationToken)
        {
            _messages.Enqueue(message);
            if (_messages.Count >= expected)
            {
                _complete.TrySetResult();
            }
            return ValueTask.CompletedTask;
        }

        public Task Complete => _complete.Task.WaitAsync(Loopback.Patience);
    }
}
