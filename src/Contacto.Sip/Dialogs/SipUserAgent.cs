using System.Collections.Concurrent;
using System.Globalization;
using System.Security.Cryptography;
using Contacto.Sip.Messages;
using Contacto.Sip.Transactions;
using Contacto.Sip.Transport;
using Microsoft.Extensions.Logging;

namespace Contacto.Sip.Dialogs;

/// <summary>How a user agent presents itself and what it takes.</summary>
public sealed record SipUserAgentOptions
{
    /// <summary>User-Agent and Server header value.</summary>
    public string Product { get; init; } = "Contacto";

    /// <summary>The user part of this side's Contact.</summary>
    public string? ContactUser { get; init; }

    public SipRequestPolicy Policy { get; init; } = SipRequestPolicy.Default;

    public IReadOnlyList<string> Allow { get; init; } =
        [SipMethods.Invite, SipMethods.Ack, SipMethods.Bye, SipMethods.Cancel, SipMethods.Options, SipMethods.Info, SipMethods.Refer, SipMethods.Notify];
}

/// <summary>
/// A SIP user agent over one transport layer: the UAC and UAS cores of RFC 3261 8, 12, 13 and
/// 15. It sends requests (answering 401/407 digest challenges), places calls, takes calls and
/// requests, keeps dialogs, sends the ACK for a 2xx outside the transaction (again for each
/// retransmitted 2xx), retransmits its own 2xx until the ACK (T1 doubling to T2, BYE after
/// 64*T1), answers CANCEL with 487 for the INVITE, and refuses what it cannot take (RFC 3261 8.2:
/// 400, 415, 416, 420, 481, 405).
/// </summary>
public sealed class SipUserAgent
{
    private readonly SipTransportLayer _transport;
    private readonly ConcurrentDictionary<(string, string, string), SipDialog> _dialogs = new();
    private readonly ConcurrentDictionary<SipServerTransaction, SipIncomingCall> _ringing = new();
    private readonly ConcurrentDictionary<(string CallId, uint Sequence, string LocalTag), SuccessRetransmission> _unacknowledged = new();
    private readonly ConcurrentDictionary<(string CallId, uint Sequence, string RemoteTag), (SipRequest Ack, SipTarget Target, long Until)> _sentAcks = new();
    private readonly TimeProvider _time;

    public SipUserAgent(SipTransportLayer transport, SipUserAgentOptions? options = null, SipTimers? timers = null, TimeProvider? timeProvider = null, ILogger? logger = null)
    {
        _transport = transport;
        _time = timeProvider ?? transport.Time;
        Options = options ?? new SipUserAgentOptions();
        Transactions = new SipTransactionLayer(transport, timers, _time, logger)
        {
            RequestReceived = OnRequest,
            AckReceived = OnAck,
            UnmatchedResponse = OnUnmatchedResponse,
        };
    }

    public SipUserAgentOptions Options { get; }

    public SipTransactionLayer Transactions { get; }

    /// <summary>An INVITE outside any dialog; without a handler calls are refused 480.</summary>
    public Action<SipIncomingCall>? IncomingCall { get; set; }

    /// <summary>Any other request outside a dialog; without a handler OPTIONS gets 200 and the rest 405.</summary>
    public Action<SipIncomingRequest>? IncomingRequest { get; set; }

    public int DialogCount => _dialogs.Count;

    /// <summary>A request outside any dialog, with a new Call-ID, From tag and CSeq; Via comes when it is sent.</summary>
    public SipRequest CreateRequest(string method, SipUri requestUri, SipNameAddress from, SipNameAddress to, string transport = SipTransports.Udp)
    {
        var request = new SipRequest(method, requestUri);
        request.Headers.Add(HeaderNames.MaxForwards, "70");
        request.Headers.Add(HeaderNames.From, (from.Tag is null ? from.WithTag(SipIds.NewTag()) : from).ToString());
        request.Headers.Add(HeaderNames.To, to.ToString());
        request.Headers.Add(HeaderNames.CallId, SipIds.NewCallId("contacto"));
        request.Headers.Add(HeaderNames.CSeq, new SipCSeq((uint)RandomNumberGenerator.GetInt32(1, 1 << 20), method).ToString());
        if (method is SipMethods.Invite or SipMethods.Refer or SipMethods.Subscribe)
        {
            request.Headers.Add(HeaderNames.Contact, $"<{ContactFor(transport)}>");
        }
        request.Headers.Add(HeaderNames.UserAgent, Options.Product);
        return request;
    }

    /// <summary>
    /// Sends a request outside a dialog (OPTIONS keep-alives, MESSAGE, ...) and returns its final
    /// response, after answering one digest challenge with <paramref name="credentials"/>.
    /// </summary>
    public Task<SipResponse> SendAsync(SipRequest request, SipTarget target, SipCredentials? credentials = null, CancellationToken cancellationToken = default)
    {
        var sequence = request.CSeq.Number;
        return SendWithAuthenticationAsync(request, target, credentials, () => ++sequence, null, cancellationToken);
    }

    /// <summary>Places a call: the INVITE goes out at once; see <see cref="SipOutgoingCall"/>.</summary>
    public SipOutgoingCall Call(SipCallOptions options)
    {
        var call = new SipOutgoingCall(options);
        _ = RunCallAsync(call);
        return call;
    }

    internal SipUri ContactFor(string transport) => _transport.ContactUri(transport, Options.ContactUser);

    internal SipDialog? FindDialog(string callId, string localTag, string remoteTag) =>
        _dialogs.TryGetValue((callId, localTag, remoteTag), out var dialog) ? dialog : null;

    internal void Forget(SipDialog dialog) => _dialogs.TryRemove(new(dialog.Id, dialog));

    internal void Respond(SipIncomingRequest incoming, SipResponse response)
    {
        var request = incoming.Request;
        response.Headers.Set(HeaderNames.Server, Options.Product);
        incoming.Transaction.Respond(response);
        if (request.Method != SipMethods.Invite || response.IsProvisional)
        {
            return;
        }
        _ringing.TryRemove(incoming.Transaction, out _);
        if (!response.IsSuccess)
        {
            return;
        }
        var dialog = incoming.Dialog;
        if (dialog is null)
        {
            // RFC 3261 12.1.1: the callee's dialog, route set in the request's Record-Route order.
            dialog = new SipDialog(this, isCaller: false, request.CallId, response.To, request.From,
                request.Contacts.FirstOrDefault()?.Uri ?? request.From.Uri, request.RecordRoutes,
                (uint)RandomNumberGenerator.GetInt32(1, 1 << 20), request.CSeq.Number, incoming.Flow, null);
            _dialogs[dialog.Id] = dialog;
        }
        var retransmission = new SuccessRetransmission(this, dialog, response, incoming.Flow);
        _unacknowledged[(request.CallId, request.CSeq.Number, dialog.LocalTag)] = retransmission;
        retransmission.Start();
    }

    internal async Task<SipResponse> SendInDialogAsync(SipDialog dialog, string method, byte[]? body, string? contentType,
        IEnumerable<KeyValuePair<string, string>>? headers, CancellationToken cancellationToken)
    {
        var (requestUri, routes, nextHop) = dialog.Routing();
        var request = new SipRequest(method, requestUri);
        request.Headers.Add(HeaderNames.MaxForwards, "70");
        request.Headers.Add(HeaderNames.From, dialog.LocalParty.ToString());
        request.Headers.Add(HeaderNames.To, dialog.RemoteParty.ToString());
        request.Headers.Add(HeaderNames.CallId, dialog.CallId);
        request.Headers.Add(HeaderNames.CSeq, new SipCSeq(dialog.NextSequence(), method).ToString());
        foreach (var route in routes)
        {
            request.Headers.Add(HeaderNames.Route, route);
        }
        var target = await TargetAsync(dialog, nextHop, cancellationToken).ConfigureAwait(false);
        if (method is SipMethods.Invite or SipMethods.Refer or SipMethods.Subscribe)
        {
            request.Headers.Add(HeaderNames.Contact, $"<{ContactFor(target.Transport)}>");
        }
        foreach (var (name, value) in headers ?? [])
        {
            request.Headers.Add(name, value);
        }
        SetBody(request, body, contentType);
        var response = await SendWithAuthenticationAsync(request, target, dialog.Credentials, dialog.NextSequence, null, cancellationToken).ConfigureAwait(false);
        if (method == SipMethods.Invite && response.IsSuccess)
        {
            if (response.Contacts.FirstOrDefault() is { } contact)
            {
                dialog.RemoteTarget = contact.Uri;
            }
            await SendAckAsync(response, dialog, target).ConfigureAwait(false);
        }
        return response;
    }

    private async Task RunCallAsync(SipOutgoingCall call)
    {
        var options = call.Options;
        var invite = CreateRequest(SipMethods.Invite, options.RequestUri, options.From, options.To, options.Target.Transport);
        foreach (var route in options.Routes)
        {
            invite.Headers.Add(HeaderNames.Route, $"<{route}>");
        }
        foreach (var (name, value) in options.Headers)
        {
            invite.Headers.Add(name, value);
        }
        SetBody(invite, options.Offer, options.ContentType);
        var sequence = invite.CSeq.Number;
        SipResponse response;
        try
        {
            response = await SendWithAuthenticationAsync(invite, options.Target, options.Credentials, () => ++sequence, call, CancellationToken.None)
                .ConfigureAwait(false);
        }
        catch (Exception e) when (e is SipTransportException or IOException or InvalidOperationException)
        {
            call.Complete(SipResponse.Local(invite, 503, "Service Unavailable (transport failure)"), null);
            return;
        }
        if (!response.IsSuccess)
        {
            call.Complete(response, null);
            return;
        }
        var sent = call.Invite!;
        var dialog = new SipDialog(this, isCaller: true, sent.CallId, sent.From, response.To,
            response.Contacts.FirstOrDefault()?.Uri ?? sent.RequestUri, [.. response.RecordRoutes.Reverse()],
            sent.CSeq.Number, null, options.Target.Flow, options.Credentials)
        {
            Transport = options.Target.Transport,
        };
        _dialogs[dialog.Id] = dialog;
        try
        {
            var target = await TargetAsync(dialog, dialog.Routing().NextHop, CancellationToken.None).ConfigureAwait(false);
            await SendAckAsync(response, dialog, target).ConfigureAwait(false);
        }
        catch (Exception e) when (e is SipTransportException or IOException)
        {
            // The ACK is lost like any datagram; the callee's retransmitted 2xx gets it again.
        }
        dialog.Confirm();
        call.Complete(response, dialog);
        if (call.CancelRequested)
        {
            // The 2xx crossed the CANCEL: the call was answered, so it is ended (RFC 3261 9.1).
            await dialog.ByeAsync().ConfigureAwait(false);
        }
    }

    /// <summary>Sends through a client transaction; a 401 or 407 is answered once (twice if the nonce was stale) with a new CSeq.</summary>
    private async Task<SipResponse> SendWithAuthenticationAsync(SipRequest request, SipTarget target, SipCredentials? credentials,
        Func<uint> nextSequence, SipOutgoingCall? call, CancellationToken cancellationToken)
    {
        for (var attempt = 0; ; attempt++)
        {
            if (call is not null)
            {
                call.Invite = request;
                var sent = request;
                call.SendCancel = () => CancelAsync(sent, target);
            }
            var transaction = Transactions.Send(request, target, call is null ? null : call.OnProvisional);
            var response = await transaction.FinalResponse.WaitAsync(cancellationToken).ConfigureAwait(false);
            if (response.StatusCode is not (401 or 407) || credentials is null || call?.CancelRequested == true
                || attempt == 2 || attempt == 1 && !IsStale(response)
                || SipDigest.Answer(response, request, credentials) is not { } answer)
            {
                return response;
            }
            request = Retry(request, nextSequence(), answer.Name, answer.Value);
        }
    }

    private async Task CancelAsync(SipRequest invite, SipTarget target)
    {
        // RFC 3261 9.1: the INVITE's Request-URI, Call-ID, From, To, CSeq number, Route and top Via (its branch).
        var cancel = SipClientTransaction.SameTransaction(invite, SipMethods.Cancel, invite.Headers.Get(HeaderNames.To)!);
        await Transactions.Send(cancel, target).FinalResponse.ConfigureAwait(false);
    }

    /// <summary>The ACK for a 2xx (RFC 3261 13.2.2.4): a transaction of its own, kept to answer the 2xx's retransmissions.</summary>
    private async Task SendAckAsync(SipResponse response, SipDialog dialog, SipTarget target)
    {
        var (requestUri, routes, _) = dialog.Routing();
        var ack = new SipRequest(SipMethods.Ack, requestUri);
        ack.Headers.Add(HeaderNames.Via, _transport.CreateVia(target.Transport, SipIds.NewBranch()).ToString());
        foreach (var route in routes)
        {
            ack.Headers.Add(HeaderNames.Route, route);
        }
        ack.Headers.Add(HeaderNames.MaxForwards, "70");
        ack.Headers.Add(HeaderNames.From, dialog.LocalParty.ToString());
        ack.Headers.Add(HeaderNames.To, response.Headers.Get(HeaderNames.To)!);
        ack.Headers.Add(HeaderNames.CallId, dialog.CallId);
        ack.Headers.Add(HeaderNames.CSeq, new SipCSeq(response.CSeq.Number, SipMethods.Ack).ToString());
        // Kept for 64*T1, as long as the callee may retransmit its 2xx; older ones go as new ones come.
        var now = _time.GetTimestamp();
        foreach (var old in _sentAcks.Where(a => a.Value.Until < now))
        {
            _sentAcks.TryRemove(old);
        }
        var lifetime = (long)(Transactions.Timers.TransactionTimeout.TotalSeconds * _time.TimestampFrequency);
        _sentAcks[(dialog.CallId, response.CSeq.Number, dialog.RemoteTag)] = (ack, target, now + lifetime);
        await _transport.SendAsync(ack, target).ConfigureAwait(false);
    }

    private void OnRequest(SipServerTransaction transaction)
    {
        var request = transaction.Request;
        if (SipRequestChecks.Check(request, Options.Policy) is { } refusal)
        {
            transaction.Respond(refusal);
            return;
        }
        if (request.Method == SipMethods.Cancel)
        {
            var invite = Transactions.FindInvite(request);
            var cancelled = invite is not null && _ringing.TryGetValue(invite, out var call) && call.TryCancel();
            transaction.Respond(SipResponse.CreateFor(request, cancelled ? 200 : 481, toTag: SipIds.NewTag()));
            return;
        }
        if (request.To.Tag is { } localTag)
        {
            OnRequestInDialog(transaction, localTag);
            return;
        }
        switch (request.Method)
        {
            case SipMethods.Invite:
                var incoming = new SipIncomingCall(this, transaction);
                _ringing[transaction] = incoming;
                if (IncomingCall is { } onCall)
                {
                    onCall(incoming);
                }
                else
                {
                    incoming.Reject(480);
                }
                break;
            case SipMethods.Bye or SipMethods.Info or SipMethods.Notify or SipMethods.Prack or SipMethods.Update:
                transaction.Respond(SipResponse.CreateFor(request, 481, toTag: SipIds.NewTag()));
                break;
            default:
                var other = new SipIncomingRequest(this, transaction, null, SipIds.NewTag());
                if (IncomingRequest is { } onRequest)
                {
                    onRequest(other);
                }
                else
                {
                    RespondByDefault(other);
                }
                break;
        }
    }

    private void OnRequestInDialog(SipServerTransaction transaction, string localTag)
    {
        var request = transaction.Request;
        var dialog = FindDialog(request.CallId, localTag, request.From.Tag ?? "");
        if (dialog is null)
        {
            transaction.Respond(SipResponse.CreateFor(request, 481));
            return;
        }
        // RFC 3261 12.2.2: a CSeq lower than the last one is out of order.
        var sequence = request.CSeq.Number;
        if (dialog.RemoteSequence is { } last && sequence <= last)
        {
            transaction.Respond(SipResponse.CreateFor(request, 500, "Server Internal Error (CSeq out of order)"));
            return;
        }
        dialog.RemoteSequence = sequence;
        var incoming = new SipIncomingRequest(this, transaction, dialog, localTag);
        if (request.Method == SipMethods.Bye)
        {
            incoming.Respond(200);
            dialog.End(SipDialogEnd.RemoteBye);
            return;
        }
        if (request.Method == SipMethods.Invite && request.Contacts.FirstOrDefault() is { } contact)
        {
            dialog.RemoteTarget = contact.Uri;
        }
        if (dialog.RequestReceived is { } handler)
        {
            handler(incoming);
        }
        else
        {
            RespondByDefault(incoming);
        }
    }

    private void RespondByDefault(SipIncomingRequest incoming)
    {
        var request = incoming.Request;
        switch (request.Method)
        {
            case SipMethods.Options:
                var response = incoming.CreateResponse(200);
                response.Headers.Add(HeaderNames.Allow, string.Join(", ", Options.Allow));
                response.Headers.Add(HeaderNames.Accept, string.Join(", ", Options.Policy.AcceptedContentTypes));
                incoming.Respond(response);
                break;
            case SipMethods.Info or SipMethods.Notify when incoming.Dialog is not null:
                incoming.Respond(200);
                break;
            case SipMethods.Invite when incoming.Dialog is not null:
                incoming.Respond(488);
                break;
            default:
                var refusal = incoming.CreateResponse(Options.Allow.Contains(request.Method) ? 501 : 405);
                refusal.Headers.Add(HeaderNames.Allow, string.Join(", ", Options.Allow));
                incoming.Respond(refusal);
                break;
        }
    }

    private void OnAck(SipRequest ack, SipFlow flow)
    {
        if (ack.To.Tag is { } localTag && _unacknowledged.TryRemove((ack.CallId, ack.CSeq.Number, localTag), out var retransmission))
        {
            retransmission.Stop();
            retransmission.Dialog.Confirm();
        }
    }

    private void OnUnmatchedResponse(SipResponse response, SipFlow flow)
    {
        if (!response.IsSuccess || response.CSeq.Method != SipMethods.Invite || response.To.Tag is not { } remoteTag)
        {
            return;
        }
        if (_sentAcks.TryGetValue((response.CallId, response.CSeq.Number, remoteTag), out var sent))
        {
            _ = SendQuietlyAsync(sent.Ack, sent.Target);
            return;
        }
        var call = _dialogs.Values.FirstOrDefault(d => d.IsCaller && d.CallId == response.CallId && d.LocalTag == response.From.Tag);
        if (call is not null && call.RemoteTag != remoteTag)
        {
            _ = EndForkAsync(call, response);
        }
    }

    /// <summary>
    /// A 2xx from a second fork of an INVITE already answered (RFC 3261 13.2.2.4): its dialog is
    /// acknowledged and ended with BYE, so that the callee who also answered is not left hanging.
    /// </summary>
    private async Task EndForkAsync(SipDialog answered, SipResponse response)
    {
        var fork = new SipDialog(this, isCaller: true, response.CallId, answered.LocalParty, response.To,
            response.Contacts.FirstOrDefault()?.Uri ?? answered.RemoteTarget, [.. response.RecordRoutes.Reverse()],
            response.CSeq.Number, null, null, answered.Credentials)
        {
            Transport = answered.Transport,
        };
        if (!_dialogs.TryAdd(fork.Id, fork))
        {
            return;
        }
        try
        {
            var target = await TargetAsync(fork, fork.Routing().NextHop, CancellationToken.None).ConfigureAwait(false);
            await SendAckAsync(response, fork, target).ConfigureAwait(false);
            fork.Confirm();
            await fork.ByeAsync().ConfigureAwait(false);
        }
        catch (Exception e) when (e is SipTransportException or IOException or InvalidOperationException)
        {
            fork.End(SipDialogEnd.LocalBye);
        }
    }

    private async Task SendQuietlyAsync(SipRequest request, SipTarget target)
    {
        try
        {
            await _transport.SendAsync(request, target).ConfigureAwait(false);
        }
        catch (Exception e) when (e is SipTransportException or IOException)
        {
        }
    }

    private async Task<SipTarget> TargetAsync(SipDialog dialog, SipUri nextHop, CancellationToken cancellationToken)
    {
        var target = await SipTarget.ResolveAsync(nextHop, dialog.Transport, cancellationToken).ConfigureAwait(false);
        return dialog.Flow is { } flow && flow.Transport == target.Transport ? target with { Flow = flow } : target;
    }

    private static SipRequest Retry(SipRequest request, uint sequence, string header, string value)
    {
        var retry = new SipRequest(request.Method, request.RequestUri) { Body = request.Body };
        foreach (var line in request.Headers)
        {
            if (line.Name is not (HeaderNames.Via or HeaderNames.Authorization or HeaderNames.ProxyAuthorization))
            {
                retry.Headers.Add(line.Name, line.Value);
            }
        }
        retry.Headers.Set(HeaderNames.CSeq, new SipCSeq(sequence, request.Method).ToString());
        retry.Headers.Add(header, value);
        return retry;
    }

    private static bool IsStale(SipResponse response) =>
        response.Headers.GetAll(response.StatusCode == 407 ? HeaderNames.ProxyAuthenticate : HeaderNames.WwwAuthenticate)
            .Select(SipDigestChallenge.TryParse).Any(c => c?.Stale == true);

    private static void SetBody(SipRequest request, byte[]? body, string? contentType)
    {
        if (body is { Length: > 0 })
        {
            request.Headers.Set(HeaderNames.ContentType, contentType ?? "application/sdp");
            request.Body = body;
        }
    }

    /// <summary>A 2xx to an INVITE sent again, T1 doubling to T2, until its ACK; at 64*T1 without one the dialog is ended with BYE.</summary>
    private sealed class SuccessRetransmission(SipUserAgent agent, SipDialog dialog, SipResponse response, SipFlow flow)
    {
        private readonly Lock _lock = new();
        private ITimer? _retransmit;
        private ITimer? _giveUp;
        private TimeSpan _interval;
        private bool _stopped;

        public SipDialog Dialog => dialog;

        public void Start()
        {
            var timers = agent.Transactions.Timers;
            lock (_lock)
            {
                _interval = timers.T1;
                _retransmit = agent._time.CreateTimer(_ => Retransmit(), null, _interval, Timeout.InfiniteTimeSpan);
                _giveUp = agent._time.CreateTimer(_ => GiveUp(), null, timers.TransactionTimeout, Timeout.InfiniteTimeSpan);
            }
        }

        public void Stop()
        {
            lock (_lock)
            {
                _stopped = true;
                _retransmit?.Dispose();
                _giveUp?.Dispose();
            }
        }

        private void Retransmit()
        {
            lock (_lock)
            {
                if (_stopped)
                {
                    return;
                }
                var t2 = agent.Transactions.Timers.T2;
                _interval = _interval * 2 < t2 ? _interval * 2 : t2;
                _retransmit!.Change(_interval, Timeout.InfiniteTimeSpan);
            }
            _ = agent._transport.SendResponseAsync(response, flow).ContinueWith(t => _ = t.Exception, TaskScheduler.Default);
        }

        private void GiveUp()
        {
            lock (_lock)
            {
                if (_stopped)
                {
                    return;
                }
            }
            Stop();
            agent._unacknowledged.TryRemove(new((dialog.CallId, response.CSeq.Number, dialog.LocalTag), this));
            _ = EndUnacknowledgedAsync();
        }

        private async Task EndUnacknowledgedAsync()
        {
            // The dialog is over once the BYE is on its way, whatever comes back.
            var bye = dialog.SendAsync(SipMethods.Bye);
            dialog.End(SipDialogEnd.NoAck);
            try
            {
                await bye.ConfigureAwait(false);
            }
            catch (Exception e) when (e is SipTransportException or IOException or InvalidOperationException)
            {
            }
        }
    }
}
