using Contacto.Sip.Messages;
using Contacto.Sip.Transport;

namespace Contacto.Sip.Transactions;

public enum SipTransactionState
{
    /// <summary>Client: request sent, nothing heard (Calling for INVITE). Server: request received, nothing answered.</summary>
    Trying,
    Proceeding,
    Completed,

    /// <summary>INVITE server only: the ACK for a failure arrived.</summary>
    Confirmed,

    /// <summary>INVITE server only (RFC 6026): a 2xx was sent; retransmitted INVITEs are absorbed until timer L.</summary>
    Accepted,
    Terminated,
}

/// <summary>
/// An INVITE or non-INVITE client transaction (RFC 3261 17.1): sends the request, retransmits it
/// over UDP only (timer A doubling from T1; timer E doubling to T2), gives up after 64*T1 (B, F)
/// with a 408 of its own, hands provisional responses to a callback and the final one to
/// <see cref="FinalResponse"/>, acknowledges a failure to an INVITE itself (and again for each
/// retransmission of it), and absorbs retransmitted responses for timers D and K. Every timer is
/// one-shot on the <see cref="TimeProvider"/>. A transport failure ends it with a 503 of its own (RFC 3261 8.1.3.1).
/// </summary>
public sealed class SipClientTransaction
{
    private readonly SipTransactionLayer _layer;
    private readonly Action<SipResponse>? _onProvisional;
    private readonly TaskCompletionSource<SipResponse> _final = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly bool _reliable;
    private ITimer? _retransmit;
    private ITimer? _timeout;
    private TimeSpan _interval;
    private SipRequest? _ack;

    internal SipClientTransaction(SipTransactionLayer layer, SipRequest request, SipTarget target, string key, Action<SipResponse>? onProvisional)
    {
        _layer = layer;
        Request = request;
        Target = target;
        Key = key;
        _onProvisional = onProvisional;
        _reliable = SipTransports.IsReliable(target.Transport);
        IsInvite = request.Method == SipMethods.Invite;
    }

    public SipRequest Request { get; }

    public SipTarget Target { get; }

    public bool IsInvite { get; }

    public SipTransactionState State { get; private set; } = SipTransactionState.Trying;

    /// <summary>The final response: the peer's, or a 408 (timer B or F) or 503 (transport failure) made here.</summary>
    public Task<SipResponse> FinalResponse => _final.Task;

    internal string Key { get; }

    internal void Start()
    {
        lock (this)
        {
            var timers = _layer.Timers;
            _timeout = _layer.Time.CreateTimer(_ => OnTimeout(), null, timers.TransactionTimeout, Timeout.InfiniteTimeSpan);
            if (!_reliable)
            {
                _interval = timers.T1;
                _retransmit = _layer.Time.CreateTimer(_ => OnRetransmit(), null, _interval, Timeout.InfiniteTimeSpan);
            }
        }
        Send(Request);
    }

    internal void OnResponse(SipResponse response)
    {
        SipRequest? ackToSend = null;
        lock (this)
        {
            switch (State)
            {
                case SipTransactionState.Trying or SipTransactionState.Proceeding when response.IsProvisional:
                    State = SipTransactionState.Proceeding;
                    if (IsInvite)
                    {
                        // Calling -> Proceeding: no more retransmissions and no timer B.
                        _retransmit?.Dispose();
                        _timeout?.Dispose();
                    }
                    break;
                case SipTransactionState.Trying or SipTransactionState.Proceeding:
                    _retransmit?.Dispose();
                    _timeout?.Dispose();
                    if (IsInvite && response.IsSuccess)
                    {
                        Terminate();
                        break;
                    }
                    State = SipTransactionState.Completed;
                    if (IsInvite)
                    {
                        _ack = BuildAck(response);
                        ackToSend = _ack;
                    }
                    var linger = _reliable ? TimeSpan.Zero : IsInvite ? _layer.Timers.TimerD : _layer.Timers.T4;
                    if (linger == TimeSpan.Zero)
                    {
                        Terminate();
                    }
                    else
                    {
                        _timeout = _layer.Time.CreateTimer(_ => OnLingerEnd(), null, linger, Timeout.InfiniteTimeSpan);
                    }
                    break;
                case SipTransactionState.Completed when IsInvite && !response.IsProvisional:
                    // A retransmitted failure: acknowledge it again, tell no one.
                    Send(_ack!);
                    return;
                default:
                    return;
            }
        }
        if (ackToSend is not null)
        {
            Send(ackToSend);
        }
        if (response.IsProvisional)
        {
            _onProvisional?.Invoke(response);
        }
        else
        {
            _final.TrySetResult(response);
        }
    }

    private void OnRetransmit()
    {
        lock (this)
        {
            if (State is not (SipTransactionState.Trying or SipTransactionState.Proceeding))
            {
                return;
            }
            // Timer A doubles without bound (B ends it first); timer E doubles up to T2, and is T2 once a provisional arrived.
            _interval = IsInvite ? _interval * 2
                : State == SipTransactionState.Proceeding ? _layer.Timers.T2
                : Min(_interval * 2, _layer.Timers.T2);
            _retransmit!.Change(_interval, Timeout.InfiniteTimeSpan);
        }
        Send(Request);
    }

    private void OnTimeout()
    {
        lock (this)
        {
            if (State is not (SipTransactionState.Trying or SipTransactionState.Proceeding))
            {
                return;
            }
            _retransmit?.Dispose();
            Terminate();
        }
        _final.TrySetResult(SipResponse.Local(Request, 408, "Request Timeout (no response)"));
    }

    private void OnLingerEnd()
    {
        lock (this)
        {
            Terminate();
        }
    }

    private void Send(SipRequest request)
    {
        _ = SendAsync();

        async Task SendAsync()
        {
            try
            {
                await _layer.Sender.SendAsync(request, Target, CancellationToken.None).ConfigureAwait(false);
            }
            catch (Exception e) when (e is SipTransportException or IOException or ObjectDisposedException)
            {
                lock (this)
                {
                    _retransmit?.Dispose();
                    _timeout?.Dispose();
                    if (State is SipTransactionState.Trying or SipTransactionState.Proceeding)
                    {
                        Terminate();
                    }
                }
                _final.TrySetResult(SipResponse.Local(Request, 503, "Service Unavailable (transport failure)"));
            }
        }
    }

    /// <summary>The ACK for a failure, inside the transaction (RFC 3261 17.1.1.3): the INVITE's top Via and the response's To.</summary>
    private SipRequest BuildAck(SipResponse response) => SameTransaction(Request, SipMethods.Ack, response.Headers.Get(HeaderNames.To)!);

    /// <summary>
    /// An ACK or CANCEL that belongs to an INVITE's transaction: its Request-URI, top Via (so its
    /// branch), Route, From, Call-ID and CSeq number, with the given To.
    /// </summary>
    internal static SipRequest SameTransaction(SipRequest invite, string method, string to)
    {
        var request = new SipRequest(method, invite.RequestUri);
        request.Headers.Add(HeaderNames.Via, invite.Headers.GetValues(HeaderNames.Via)[0]);
        foreach (var route in invite.Headers.GetAll(HeaderNames.Route))
        {
            request.Headers.Add(HeaderNames.Route, route);
        }
        request.Headers.Add(HeaderNames.MaxForwards, "70");
        request.Headers.Add(HeaderNames.From, invite.Headers.Get(HeaderNames.From)!);
        request.Headers.Add(HeaderNames.To, to);
        request.Headers.Add(HeaderNames.CallId, invite.CallId);
        request.Headers.Add(HeaderNames.CSeq, new SipCSeq(invite.CSeq.Number, method).ToString());
        return request;
    }

    private void Terminate()
    {
        State = SipTransactionState.Terminated;
        _retransmit?.Dispose();
        _timeout?.Dispose();
        _layer.Remove(this);
    }

    private static TimeSpan Min(TimeSpan a, TimeSpan b) => a < b ? a : b;
}
