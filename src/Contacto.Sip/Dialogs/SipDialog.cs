using Contacto.Sip.Messages;
using Contacto.Sip.Transport;

namespace Contacto.Sip.Dialogs;

public enum SipDialogState
{
    Early,
    Confirmed,
    Terminated,
}

/// <summary>Why a dialog ended.</summary>
public enum SipDialogEnd
{
    /// <summary>This side sent BYE.</summary>
    LocalBye,

    /// <summary>The peer sent BYE.</summary>
    RemoteBye,

    /// <summary>The ACK for this side's 2xx never came (RFC 3261 13.3.1.4): a BYE was sent.</summary>
    NoAck,
}

/// <summary>
/// A dialog (RFC 3261 12): its identifiers, route set, remote target and CSeq counters. Sends
/// requests inside it (BYE, re-INVITE, INFO, REFER, OPTIONS, ...) routed by its route set (loose
/// or strict), on the connection it was made on while that stays open, answering digest
/// challenges with the call's credentials; the peer's requests arrive at <see cref="RequestReceived"/>.
/// </summary>
public sealed class SipDialog
{
    private readonly SipUserAgent _agent;
    private readonly TaskCompletionSource<SipDialogEnd> _ended = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _confirmed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly Lock _lock = new();
    private uint _localSequence;

    internal SipDialog(SipUserAgent agent, bool isCaller, string callId, SipNameAddress local, SipNameAddress remote,
        SipUri remoteTarget, IReadOnlyList<SipNameAddress> routeSet, uint localSequence, uint? remoteSequence, SipFlow? flow, SipCredentials? credentials)
    {
        _agent = agent;
        IsCaller = isCaller;
        CallId = callId;
        LocalParty = local;
        RemoteParty = remote;
        RemoteTarget = remoteTarget;
        RouteSet = routeSet;
        _localSequence = localSequence;
        RemoteSequence = remoteSequence;
        Flow = flow;
        Credentials = credentials;
        Transport = flow?.Transport ?? SipTransports.Udp;
    }

    public bool IsCaller { get; }

    public string CallId { get; }

    public string LocalTag => LocalParty.Tag!;

    public string RemoteTag => RemoteParty.Tag!;

    /// <summary>From of this side's requests, with the local tag.</summary>
    public SipNameAddress LocalParty { get; }

    /// <summary>To of this side's requests, with the remote tag.</summary>
    public SipNameAddress RemoteParty { get; }

    /// <summary>The peer's Contact, updated by target refresh requests (re-INVITE).</summary>
    public SipUri RemoteTarget { get; internal set; }

    /// <summary>Record-Route as this side applies it: the caller reverses the 2xx's, the callee keeps the request's order.</summary>
    public IReadOnlyList<SipNameAddress> RouteSet { get; }

    public uint LocalSequence => _localSequence;

    public uint? RemoteSequence { get; internal set; }

    public SipDialogState State { get; private set; } = SipDialogState.Early;

    /// <summary>Completes when the dialog ends, with why.</summary>
    public Task<SipDialogEnd> Ended => _ended.Task;

    /// <summary>Completes when the ACK for the 2xx arrived (callee) or was sent (caller).</summary>
    public Task Confirmed => _confirmed.Task;

    /// <summary>The peer's requests in the dialog (re-INVITE, INFO, REFER, NOTIFY, OPTIONS, UPDATE); BYE and ACK are handled here.</summary>
    public Action<SipIncomingRequest>? RequestReceived { get; set; }

    internal SipFlow? Flow { get; }

    /// <summary>The transport the dialog was made on: used for hops whose URI names none.</summary>
    internal string Transport { get; set; } = SipTransports.Udp;

    internal SipCredentials? Credentials { get; }

    internal (string, string, string) Id => (CallId, LocalTag, RemoteTag);

    /// <summary>Sends a request in the dialog and returns its final response (after at most one digest challenge).</summary>
    public Task<SipResponse> SendAsync(string method, byte[]? body = null, string? contentType = null,
        IEnumerable<KeyValuePair<string, string>>? headers = null, CancellationToken cancellationToken = default)
    {
        if (method is SipMethods.Ack or SipMethods.Cancel)
        {
            throw new ArgumentException("ACK and CANCEL are sent by the user agent itself.", nameof(method));
        }
        if (State == SipDialogState.Terminated)
        {
            throw new InvalidOperationException("The dialog has ended.");
        }
        return _agent.SendInDialogAsync(this, method, body, contentType, headers, cancellationToken);
    }

    /// <summary>A re-INVITE with a new offer (hold: a=sendonly; resume: a=sendrecv); a 2xx is acknowledged here.</summary>
    public Task<SipResponse> ReinviteAsync(byte[] offer, string contentType = "application/sdp", CancellationToken cancellationToken = default) =>
        SendAsync(SipMethods.Invite, offer, contentType, null, cancellationToken);

    /// <summary>REFER basics (RFC 3515): asks the peer to call <paramref name="referTo"/>; the NOTIFYs that follow arrive at <see cref="RequestReceived"/>.</summary>
    public Task<SipResponse> ReferAsync(SipUri referTo, CancellationToken cancellationToken = default) =>
        SendAsync(SipMethods.Refer, headers: [new(HeaderNames.ReferTo, $"<{referTo}>")], cancellationToken: cancellationToken);

    /// <summary>Ends the dialog with BYE; it is over whatever the answer.</summary>
    public async Task<SipResponse> ByeAsync(CancellationToken cancellationToken = default)
    {
        var response = await SendAsync(SipMethods.Bye, cancellationToken: cancellationToken).ConfigureAwait(false);
        End(SipDialogEnd.LocalBye);
        return response;
    }

    public override string ToString() => $"dialog {CallId}";

    internal uint NextSequence()
    {
        lock (_lock)
        {
            return ++_localSequence;
        }
    }

    /// <summary>
    /// The Request-URI, Route headers and next hop of a request in the dialog (RFC 3261
    /// 12.2.1.1): the remote target with the route set as Route if its first hop routes loosely,
    /// else the first hop as Request-URI and the remote target last in Route.
    /// </summary>
    internal (SipUri RequestUri, List<string> Routes, SipUri NextHop) Routing()
    {
        if (RouteSet.Count == 0)
        {
            return (RemoteTarget, [], RemoteTarget);
        }
        var first = RouteSet[0].Uri;
        if (first.IsLooseRouter)
        {
            return (RemoteTarget, [.. RouteSet.Select(r => r.ToString())], first);
        }
        var routes = RouteSet.Skip(1).Select(r => r.ToString()).Append($"<{RemoteTarget}>").ToList();
        var requestUri = first.Clone();
        foreach (var name in new[] { "maddr", "transport", "ttl", "method" })
        {
            requestUri.Parameters.Remove(name);
        }
        return (requestUri.WithoutHeaders(), routes, first);
    }

    internal void Confirm()
    {
        State = State == SipDialogState.Terminated ? State : SipDialogState.Confirmed;
        _confirmed.TrySetResult();
    }

    internal void End(SipDialogEnd reason)
    {
        State = SipDialogState.Terminated;
        _confirmed.TrySetResult();
        if (_ended.TrySetResult(reason))
        {
            _agent.Forget(this);
        }
    }
}
