using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using Contacto.Smpp;
using Contacto.Smpp.Protocol;
using Contacto.Smpp.Session;
using Contacto.Smpp.Text;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Contacto.CarrierSim;

/// <summary>
/// A simulated carrier SMSC on the same codec as the client: accepts binds, answers submits,
/// sends delivery receipts and mobile-originated messages, and misbehaves on demand.
/// Use it in-process (tests, the default set-up) or through the standalone command.
/// </summary>
public sealed partial class SmscSimulator : IAsyncDisposable
{
    private readonly ILogger _logger;
    private readonly ConcurrentDictionary<SimulatedSession, byte> _sessions = new();
    private readonly ConcurrentDictionary<Task, byte> _background = new();
    private readonly CancellationTokenSource _stopping = new();
    private readonly ConcatenationReferences _references = new();
    private readonly Random _random;
    private TcpListener? _listener;
    private Task _acceptLoop = Task.CompletedTask;
    private long _lastMessageId;
    private volatile SmscSimulatorOptions _options;

    public SmscSimulator(SmscSimulatorOptions? options = null, TimeProvider? timeProvider = null, ILogger? logger = null)
    {
        _options = options ?? new SmscSimulatorOptions();
        _options.Connection.Validate();
        Time = timeProvider ?? TimeProvider.System;
        _logger = logger ?? NullLogger.Instance;
        _random = _options.Seed is { } seed ? new Random(seed) : new Random();
        Throughput = new ThroughputCap(Time);
    }

    public SmscSimulatorOptions Options
    {
        get => _options;
        set => _options = value;
    }

    public SmscStatistics Statistics { get; } = new();

    /// <summary>The port listened on, once started.</summary>
    public int Port => ((IPEndPoint?)_listener?.LocalEndpoint)?.Port ?? throw new InvalidOperationException("Not started.");

    /// <summary>Binds currently open.</summary>
    public int BoundSessions => _sessions.Keys.Count(s => s.Mode is not null && s.Connection.IsOpen);

    /// <summary>Raised for every accepted submit_sm, on a connection thread: keep handlers short.</summary>
    public event Action<ReceivedSubmit>? SubmitReceived;

    internal TimeProvider Time { get; }

    internal ThroughputCap Throughput { get; }

    public void Start()
    {
        _listener = new TcpListener(_options.Address, _options.Port);
        _listener.Start();
        _acceptLoop = Task.Run(AcceptLoopAsync);
        LogListening(Port);
    }

    /// <summary>
    /// Sends a mobile-originated message to a bound receiver (of this system_id, if given) and
    /// returns the status of its deliver_sm_resp, split into parts as a handset would (how, and
    /// in which alphabet, as <paramref name="profile"/> says: 8-bit references by default).
    /// <paramref name="partsToSend"/> sends only the first parts, as when the rest is lost on the way.
    /// </summary>
    public async Task<CommandStatus> InjectMobileOriginatedAsync(
        SmeAddress from, SmeAddress to, string text, string? systemId = null, TextProfile? profile = null,
        int partsToSend = int.MaxValue, CancellationToken cancellationToken = default)
    {
        var session = FindReceiver(systemId) ?? throw new SmppNotBoundException("No receiver is bound.");
        var message = new OutboundText(from, to, text) { RegisteredDelivery = 0 };
        var status = CommandStatus.Ok;
        foreach (var deliver in ShortMessageBuilder.Build<DeliverSm>(message, profile ?? TextProfile.Default, _references).Take(partsToSend))
        {
            var response = await session.Connection.SendRequestAsync(deliver, cancellationToken).ConfigureAwait(false);
            status = response.Status != CommandStatus.Ok ? response.Status : status;
        }
        Statistics.MobileOriginated();
        return status;
    }

    public async ValueTask DisposeAsync()
    {
        await _stopping.CancelAsync().ConfigureAwait(false);
        _listener?.Stop();
        await _acceptLoop.ConfigureAwait(false);
        await Task.WhenAll(_sessions.Keys.Select(s => s.Connection.CloseAsync())).ConfigureAwait(false);
        await Task.WhenAll(_background.Keys).ConfigureAwait(false);
        _listener?.Dispose();
    }

    internal string NextMessageId() =>
        Interlocked.Increment(ref _lastMessageId).ToString(CultureInfo.InvariantCulture);

    internal bool IsIssued(string messageId) =>
        long.TryParse(messageId, NumberStyles.None, CultureInfo.InvariantCulture, out var id)
        && id > 0 && id <= Interlocked.Read(ref _lastMessageId);

    internal double NextDouble()
    {
        lock (_random)
        {
            return _random.NextDouble();
        }
    }

    internal void OnSubmitAccepted(SimulatedSession session, SubmitSm submit, string messageId)
    {
        SubmitReceived?.Invoke(new ReceivedSubmit(session.SystemId, submit, messageId));
        var outcome = PickOutcome(_options.ReceiptOutcomes);
        if (ReceiptFactory.IsWanted(submit.RegisteredDelivery, outcome.State))
        {
            Track(SendReceiptAsync(session, submit, messageId, outcome));
        }
    }

    /// <summary>
    /// As a real SMSC does, a receipt waits for a receiver bind of the same system id: when none is
    /// bound, or the connection breaks while sending, it is sent again after the next bind, and
    /// when the receiver answers it throttled (or queue full) or with a temporary error, again after
    /// <see cref="ReceiptRetryDelay"/>; for up to <see cref="ReceiptRetention"/>.
    /// </summary>
    private async Task SendReceiptAsync(SimulatedSession origin, SubmitSm submit, string messageId, ReceiptOutcome outcome)
    {
        var submitted = Time.GetUtcNow();
        try
        {
            var delay = _options.ReceiptDelay;
            if (delay > TimeSpan.Zero)
            {
                await Task.Delay(delay, Time, _stopping.Token).ConfigureAwait(false);
            }
            var giveUpAt = Time.GetUtcNow() + ReceiptRetention;
            while (true)
            {
                var nextBind = _receiverBound.Task;
                var session = origin.CanReceive ? origin : FindReceiver(origin.SystemId);
                if (session is not null)
                {
                    try
                    {
                        var receipt = ReceiptFactory.Create(submit, messageId, outcome, submitted, Time.GetUtcNow());
                        var answer = await session.Connection.SendRequestAsync(receipt, _stopping.Token).ConfigureAwait(false);
                        if (!answer.Status.IsThrottling() && answer.Status != CommandStatus.TemporaryAppError)
                        {
                            Statistics.ReceiptSent();
                            return;
                        }
                        Statistics.ReceiptRefusedForNow();
                        if (Time.GetUtcNow() + ReceiptRetryDelay < giveUpAt)
                        {
                            await Task.Delay(ReceiptRetryDelay, Time, _stopping.Token).ConfigureAwait(false);
                            continue;
                        }
                    }
                    catch (SmppException)
                    {
                        // The connection broke: wait for the client to bind again.
                    }
                }
                var remaining = giveUpAt - Time.GetUtcNow();
                if (remaining <= TimeSpan.Zero)
                {
                    Statistics.ReceiptUndeliverable();
                    return;
                }
                try
                {
                    await nextBind.WaitAsync(remaining, Time, _stopping.Token).ConfigureAwait(false);
                }
                catch (TimeoutException)
                {
                    // Checked once more above, then given up.
                }
            }
        }
        catch (OperationCanceledException)
        {
            Statistics.ReceiptUndeliverable();
        }
    }

    /// <summary>How long an undeliverable receipt waits for a receiver to bind.</summary>
    internal static readonly TimeSpan ReceiptRetention = TimeSpan.FromSeconds(60);

    /// <summary>How long a receipt the receiver refused for now waits before it is sent again.</summary>
    internal static readonly TimeSpan ReceiptRetryDelay = TimeSpan.FromMilliseconds(200);

    private TaskCompletionSource _receiverBound = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Wakes receipts waiting for a receiver.</summary>
    internal void ReceiverBound() => Interlocked.Exchange(ref _receiverBound, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).TrySetResult();

    private SimulatedSession? FindReceiver(string? systemId) =>
        _sessions.Keys.FirstOrDefault(s => s.CanReceive && (systemId is null || s.SystemId == systemId));

    private ReceiptOutcome PickOutcome(IReadOnlyList<ReceiptOutcome> outcomes)
    {
        var total = outcomes.Sum(o => o.Weight);
        var draw = NextDouble() * total;
        foreach (var outcome in outcomes)
        {
            draw -= outcome.Weight;
            if (draw < 0)
            {
                return outcome;
            }
        }
        return outcomes[^1];
    }

    private async Task AcceptLoopAsync()
    {
        while (!_stopping.IsCancellationRequested)
        {
            Socket socket;
            try
            {
                socket = await _listener!.AcceptSocketAsync(_stopping.Token).ConfigureAwait(false);
            }
            catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
            {
                return;
            }
            Track(ServeAsync(socket));
        }
    }

    private async Task ServeAsync(Socket socket)
    {
        socket.NoDelay = true;
        Stream stream = new NetworkStream(socket, ownsSocket: true);
        try
        {
            if (_options.TlsCertificate is { } certificate)
            {
                var tls = new SslStream(stream, leaveInnerStreamOpen: false);
                stream = tls;
                await tls.AuthenticateAsServerAsync(
                    new SslServerAuthenticationOptions { ServerCertificate = certificate }, _stopping.Token).ConfigureAwait(false);
            }
        }
        catch (Exception e) when (e is IOException or OperationCanceledException or System.Security.Authentication.AuthenticationException)
        {
            LogHandshakeFailed(e.Message);
            await stream.DisposeAsync().ConfigureAwait(false);
            return;
        }
        var session = new SimulatedSession(this);
        var connection = new SmppConnection(
            new SilenceableStream(stream, () => _options.Silent), _options.Connection, session.HandleAsync, Time, _logger);
        session.Connection = connection;
        _sessions.TryAdd(session, 0);
        connection.Start();
        await connection.Completion.ConfigureAwait(false);
        _sessions.TryRemove(session, out _);
    }

    private void Track(Task task)
    {
        _background.TryAdd(task, 0);
        task.ContinueWith(t => _background.TryRemove(t, out _), TaskScheduler.Default);
    }

    [LoggerMessage(EventId = 1, Level = LogLevel.Information, Message = "SMSC simulator listening on port {Port}")]
    private partial void LogListening(int port);

    [LoggerMessage(EventId = 2, Level = LogLevel.Debug, Message = "TLS handshake failed: {Error}")]
    private partial void LogHandshakeFailed(string error);
}
