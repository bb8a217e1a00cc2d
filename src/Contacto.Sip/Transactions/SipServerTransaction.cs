using Contacto.Sip.Messages;
using Contacto.Sip.Transport;

namespace Contacto.Sip.Transactions;

/// <summary>
/// An INVITE or non-INVITE server transaction (RFC 3261 17.2): sends 100 Trying for an INVITE
/// the TU has not answered within 200 ms (so the caller stops retransmitting), takes the request once and
/// absorbs its retransmissions (answering them with the last response sent), sends the
/// TU's responses, retransmits a failure to an INVITE over UDP (timer G doubling to T2) until its
/// ACK or timer H, and lingers for timers I and J. After a 2xx to an INVITE it stays Accepted
/// for timer L (64*T1, RFC 6026), absorbing retransmissions of the INVITE, which would otherwise
/// reach the TU as a new call; the TU retransmits the 2xx itself until its ACK (RFC 3261 13.3.1.4).
/// </summary>
public sealed class SipServerTransaction
{
    private readonly SipTransactionLayer _layer;
    private readonly bool _reliable;
    private readonly TaskCompletionSource<bool> _acknowledged = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private ITimer? _retransmit;
    private ITimer? _timeout;
    private TimeSpan _interval;

    internal SipServerTransaction(SipTransactionLayer layer, SipRequest request, SipFlow flow, string key)
    {
        _layer = layer;
        Request = request;
        Flow = flow;
        Key = key;
        IsInvite = request.Method == SipMethods.Invite;
        _reliable = SipTransports.IsReliable(flow.Transport);
    }

    public SipRequest Request { get; }

    /// <summary>Where the request came from: the transport, the peer's real address, the connection.</summary>
    public SipFlow Flow { get; }

    public bool IsInvite { get; }

    public SipTransactionState State { get; private set; } = SipTransactionState.Trying;

    public SipResponse? LastResponse { get; private set; }

    /// <summary>
    /// For a failure answered to an INVITE: true once its ACK arrived, false when timer H fired
    /// first. Never completes for other transactions.
    /// </summary>
    public Task<bool> Acknowledged => _acknowledged.Task;

    internal string Key { get; }

    internal static readonly TimeSpan TryingDelay = TimeSpan.FromMilliseconds(200);

    internal void Start()
    {
        if (IsInvite)
        {
            lock (this)
            {
                _retransmit = _layer.Time.CreateTimer(_ => SendTrying(), null, TryingDelay, Timeout.InfiniteTimeSpan);
            }
        }
    }

    /// <summary>Sends a response through the transaction; a second final response is refused.</summary>
    public void Respond(SipResponse response)
    {
        lock (this)
        {
            if (State is not (SipTransactionState.Trying or SipTransactionState.Proceeding))
            {
                throw new InvalidOperationException("The transaction has already sent its final response.");
            }
            LastResponse = response;
            _retransmit?.Dispose();
            if (response.IsProvisional)
            {
                State = SipTransactionState.Proceeding;
            }
            else if (IsInvite && response.IsSuccess)
            {
                State = SipTransactionState.Accepted;
                Linger(_layer.Timers.TransactionTimeout);
            }
            else
            {
                State = SipTransactionState.Completed;
                var timers = _layer.Timers;
                if (IsInvite)
                {
                    if (!_reliable)
                    {
                        _interval = timers.T1;
                        _retransmit = _layer.Time.CreateTimer(_ => OnRetransmit(), null, _interval, Timeout.InfiniteTimeSpan);
                    }
                    _timeout = _layer.Time.CreateTimer(_ => OnAckTimeout(), null, timers.TransactionTimeout, Timeout.InfiniteTimeSpan);
                }
                else
                {
                    Linger(_reliable ? TimeSpan.Zero : timers.TransactionTimeout);
                }
            }
        }
        Send(response);
    }

    internal void OnRetransmission()
    {
        SipResponse? resend;
        lock (this)
        {
            resend = State is SipTransactionState.Proceeding or SipTransactionState.Completed ? LastResponse : null;
        }
        if (resend is not null)
        {
            Send(resend);
        }
    }

    internal void OnAck()
    {
        lock (this)
        {
            if (State != SipTransactionState.Completed)
            {
                return;
            }
            State = SipTransactionState.Confirmed;
            _retransmit?.Dispose();
            _timeout?.Dispose();
            Linger(_reliable ? TimeSpan.Zero : _layer.Timers.T4);
        }
        _acknowledged.TrySetResult(true);
    }

    private void SendTrying()
    {
        SipResponse trying;
        lock (this)
        {
            if (State != SipTransactionState.Trying)
            {
                return;
            }
            State = SipTransactionState.Proceeding;
            trying = LastResponse = SipResponse.CreateFor(Request, 100);
        }
        Send(trying);
    }

    private void OnRetransmit()
    {
        SipResponse? resend;
        lock (this)
        {
            if (State != SipTransactionState.Completed)
            {
                return;
            }
            _interval = _interval * 2 < _layer.Timers.T2 ? _interval * 2 : _layer.Timers.T2;
            _retransmit!.Change(_interval, Timeout.InfiniteTimeSpan);
            resend = LastResponse;
        }
        Send(resend!);
    }

    private void OnAckTimeout()
    {
        lock (this)
        {
            if (State != SipTransactionState.Completed)
            {
                return;
            }
            Terminate();
        }
        _acknowledged.TrySetResult(false);
    }

    private void Linger(TimeSpan time)
    {
        if (time == TimeSpan.Zero)
        {
            Terminate();
            return;
        }
        _timeout = _layer.Time.CreateTimer(_ =>
        {
            lock (this)
            {
                Terminate();
            }
        }, null, time, Timeout.InfiniteTimeSpan);
    }

    private void Send(SipResponse response) => _ = _layer.SendResponseAsync(response, Flow);

    private void Terminate()
    {
        State = SipTransactionState.Terminated;
        _retransmit?.Dispose();
        _timeout?.Dispose();
        _layer.Remove(this);
    }
}
