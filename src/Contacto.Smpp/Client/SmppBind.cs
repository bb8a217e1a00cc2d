using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using Contacto.Smpp.Protocol;
using Contacto.Smpp.Session;
using Contacto.Smpp.Text;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Contacto.Smpp.Client;

/// <summary>
/// One ESME bind that keeps itself up: connects (optionally over TLS), binds, reconnects
/// with jittered back-off when the link dies, limits submits per second, retries throttled
/// submits, hands inbound messages to a handler and unbinds cleanly on stop.
/// </summary>
public sealed class SmppBind : IAsyncDisposable
{
    private readonly SmppBindOptions _options;
    private readonly InboundMessageHandler? _inbound;
    private readonly TextProfile _text;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly TransactionRateLimiter _limiter;
    private readonly ReconnectBackoff _backoff;
    private readonly CancellationTokenSource _stopping = new();
    private readonly Lock _stateLock = new();
    private TaskCompletionSource _bound = NewSignal();
    private SmppConnection? _connection;
    private Task _supervisor = Task.CompletedTask;
    private volatile BindState _state = BindState.Down;
    private DateTimeOffset _since;
    private ConnectionCloseReason? _lastCloseReason;
    private string? _lastError;

    public SmppBind(
        SmppBindOptions options,
        InboundMessageHandler? inbound = null,
        TimeProvider? timeProvider = null,
        ILogger? logger = null,
        TextProfile? text = null)
    {
        options.Validate();
        _options = options;
        _inbound = inbound;
        _text = text ?? TextProfile.Default;
        _time = timeProvider ?? TimeProvider.System;
        _logger = logger ?? NullLogger.Instance;
        _limiter = new TransactionRateLimiter(options.TransactionsPerSecond, _time);
        _backoff = new ReconnectBackoff(options.ReconnectMinDelay, options.ReconnectMaxDelay, Random.Shared);
        _since = _time.GetUtcNow();
    }

    public string Name => _options.Name;

    public BindMode Mode => _options.Mode;

    /// <summary>How the carrier writes text, for decoding inbound messages.</summary>
    public TextProfile Text => _text;

    /// <summary>Raised on every change of state, on a thread of the bind: keep handlers short.</summary>
    public event Action<BindHealth>? HealthChanged;

    /// <summary>Bound and able to take requests now.</summary>
    public bool IsUp => _state == BindState.Bound;

    /// <summary>Requests in flight on the current connection.</summary>
    public int Outstanding => _connection?.Outstanding ?? 0;

    public BindHealth Health
    {
        get
        {
            lock (_stateLock)
            {
                var connection = _connection;
                return new BindHealth(
                    Name,
                    _state,
                    connection?.LastEnquireLinkRoundTrip,
                    connection?.Outstanding ?? 0,
                    _limiter.CurrentRate,
                    _since,
                    _lastCloseReason,
                    _lastError);
            }
        }
    }

    /// <summary>Starts connecting in the background; see <see cref="WaitUntilBoundAsync"/>.</summary>
    public void Start()
    {
        if (_supervisor.IsCompleted && !_stopping.IsCancellationRequested)
        {
            _supervisor = Task.Run(SuperviseAsync);
        }
    }

    public Task WaitUntilBoundAsync(CancellationToken cancellationToken = default)
    {
        lock (_stateLock)
        {
            return _bound.Task.WaitAsync(cancellationToken);
        }
    }

    /// <summary>
    /// Submits one message (or one segment) and returns the SMSC's answer. Throttling answers
    /// slow the bind down and retry the same PDU; the last status is returned if they persist.
    /// Throws <see cref="SmppNotBoundException"/> when the bind is down (nothing sent), and
    /// <see cref="SmppException"/> with <see cref="SmppException.PossiblySent"/> when the link
    /// died or timed out with the submit in flight: re-queue that one exactly once.
    /// </summary>
    public async Task<SubmitResult> SubmitAsync(SubmitSm submit, CancellationToken cancellationToken = default)
    {
        if (!Mode.CanSubmit())
        {
            throw new InvalidOperationException($"A {Mode} bind cannot submit.");
        }
        for (var attempt = 0; ; attempt++)
        {
            await _limiter.WaitAsync(cancellationToken).ConfigureAwait(false);
            var sent = _time.GetTimestamp();
            var response = await SendAsync(submit, cancellationToken).ConfigureAwait(false);
            var result = new SubmitResult(response.Status, (response as MessageIdResponsePdu)?.MessageId ?? string.Empty, Name);
            SmppMetrics.SubmitDuration.Record(_time.GetElapsedTime(sent).TotalSeconds, new KeyValuePair<string, object?>("bind", Name));
            SmppMetrics.Submits.Add(1, new("bind", Name), new("status", response.Status.ToString()));
            if (result.IsAccepted)
            {
                _limiter.OnAccepted();
                return result;
            }
            if (!response.Status.IsThrottling() || attempt >= _options.ThrottleRetries)
            {
                return result;
            }
            SmppLog.Throttled(_logger, Name, response.Status);
            SmppMetrics.Throttled.Add(1, new KeyValuePair<string, object?>("bind", Name));
            _limiter.OnThrottled(_options.ThrottleRetryDelay);
        }
    }

    /// <summary>Sends any request (query_sm, data_sm) on the current connection and returns the response.</summary>
    public Task<Pdu> SendAsync(Pdu request, CancellationToken cancellationToken = default)
    {
        var connection = _connection;
        return connection is null || !connection.IsOpen || _state != BindState.Bound
            ? Task.FromException<Pdu>(new SmppNotBoundException($"{Name} is not bound."))
            : connection.SendRequestAsync(request, cancellationToken);
    }

    /// <summary>
    /// Stops reconnecting, lets in-flight submits finish (bounded by the response time-out),
    /// unbinds and closes.
    /// </summary>
    public async Task StopAsync(CancellationToken cancellationToken = default)
    {
        await _stopping.CancelAsync().ConfigureAwait(false);
        await _supervisor.WaitAsync(cancellationToken).ConfigureAwait(false);
        SetState(BindState.Stopped, null, null);
    }

    public async ValueTask DisposeAsync() => await StopAsync().ConfigureAwait(false);

    private async Task SuperviseAsync()
    {
        var stop = _stopping.Token;
        while (!stop.IsCancellationRequested)
        {
            SetState(BindState.Binding, null, null);
            TimeSpan delay;
            try
            {
                var connection = await ConnectAndBindAsync(stop).ConfigureAwait(false);
                _backoff.Reset();
                SetState(BindState.Bound, null, null, connection);
                var reason = await StayBoundAsync(connection, stop).ConfigureAwait(false);
                SmppMetrics.BindDown.Add(1, new("bind", Name), new("reason", reason.ToString()));
                SetState(BindState.Down, reason, null);
                delay = _backoff.Next();
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
                break;
            }
            catch (BindRefusedException e) when (e.Status.IsBindRefusal())
            {
                SetState(BindState.Down, null, e.Message);
                delay = _backoff.Longest();
            }
            catch (Exception e) when (e is SocketException or IOException or SmppException or AuthenticationException
                                          or OperationCanceledException or TimeoutException)
            {
                SetState(BindState.Down, null, e.Message);
                delay = _backoff.Next();
            }
            SmppLog.Reconnecting(_logger, Name, (int)delay.TotalMilliseconds);
            try
            {
                await Task.Delay(delay, _time, stop).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                break;
            }
        }
    }

    /// <summary>Waits until the link ends, or until stop is asked, and then unbinds cleanly.</summary>
    private static async Task<ConnectionCloseReason> StayBoundAsync(SmppConnection connection, CancellationToken stop)
    {
        var stopping = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using (stop.Register(() => stopping.TrySetResult()).ConfigureAwait(false))
        {
            if (await Task.WhenAny(connection.Completion, stopping.Task).ConfigureAwait(false) != connection.Completion)
            {
                await connection.UnbindAsync().ConfigureAwait(false);
            }
        }
        return await connection.Completion.ConfigureAwait(false);
    }

    private async Task<SmppConnection> ConnectAndBindAsync(CancellationToken stop)
    {
        using var attempt = CancellationTokenSource.CreateLinkedTokenSource(stop);
        attempt.CancelAfter(_options.ConnectTimeout);
        var stream = await OpenStreamAsync(attempt.Token).ConfigureAwait(false);
        var connection = new SmppConnection(stream, _options.Connection with { Name = Name }, OnRequestAsync, _time, _logger);
        connection.Start();
        try
        {
            var bind = new BindPdu(Mode)
            {
                SystemId = _options.SystemId,
                Password = _options.Password,
                SystemType = _options.SystemType,
            };
            var response = await connection.SendRequestAsync(bind, attempt.Token).ConfigureAwait(false);
            if (response.Status != CommandStatus.Ok)
            {
                throw new BindRefusedException(response.Status);
            }
            return connection;
        }
        catch
        {
            await connection.CloseAsync().ConfigureAwait(false);
            throw;
        }
    }

    private async Task<Stream> OpenStreamAsync(CancellationToken cancellationToken)
    {
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            await socket.ConnectAsync(_options.Host, _options.Port, cancellationToken).ConfigureAwait(false);
            var stream = new NetworkStream(socket, ownsSocket: true);
            if (_options.Tls is null)
            {
                return stream;
            }
            var tls = new SslStream(stream, leaveInnerStreamOpen: false);
            await tls.AuthenticateAsClientAsync(_options.Tls, cancellationToken).ConfigureAwait(false);
            return tls;
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    private async ValueTask<Pdu?> OnRequestAsync(SmppConnection connection, Pdu request, CancellationToken cancellationToken)
    {
        switch (request)
        {
            case DeliverSm or DataSm when _inbound is not null && Mode.CanReceive():
                var message = new InboundMessage(Name, request, _text);
                SmppMetrics.Inbound.Add(1, new("bind", Name), new("kind", message.IsReceipt ? "receipt" : "mo"));
                await _inbound(message, cancellationToken).ConfigureAwait(false);
                return new MessageIdResponsePdu(request.CommandId.ResponseFor());
            case DeliverSm or DataSm:
                return ErrorResponses.For(request, CommandStatus.IncorrectBindStatus);
            case AlertNotificationPdu or OutbindPdu:
                return null;
            default:
                return ErrorResponses.For(request, CommandStatus.InvalidCommandId);
        }
    }

    private void SetState(BindState state, ConnectionCloseReason? closeReason, string? error, SmppConnection? connection = null)
    {
        lock (_stateLock)
        {
            if (_state == BindState.Stopped)
            {
                return;
            }
            _state = state;
            _since = _time.GetUtcNow();
            _connection = state == BindState.Bound ? connection : state == BindState.Binding ? null : _connection;
            _lastCloseReason = closeReason ?? _lastCloseReason;
            _lastError = error ?? (state == BindState.Bound ? null : _lastError);
            if (state == BindState.Bound)
            {
                _bound.TrySetResult();
            }
            else if (_bound.Task.IsCompleted)
            {
                _bound = NewSignal();
            }
        }
        HealthChanged?.Invoke(Health);
    }

    private static TaskCompletionSource NewSignal() => new(TaskCreationOptions.RunContinuationsAsynchronously);

    private sealed class BindRefusedException(CommandStatus status) : SmppException($"bind refused: {status}")
    {
        public CommandStatus Status { get; } = status;
    }
}
