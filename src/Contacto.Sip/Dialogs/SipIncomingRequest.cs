using Contacto.Sip.Messages;
using Contacto.Sip.Transactions;
using Contacto.Sip.Transport;

namespace Contacto.Sip.Dialogs;

/// <summary>A request from a peer, to answer once finally (and as often provisionally as wanted).</summary>
public class SipIncomingRequest
{
    private readonly SipUserAgent _agent;

    internal SipIncomingRequest(SipUserAgent agent, SipServerTransaction transaction, SipDialog? dialog, string localTag)
    {
        _agent = agent;
        Transaction = transaction;
        Dialog = dialog;
        LocalTag = localTag;
    }

    public SipRequest Request => Transaction.Request;

    /// <summary>The peer's real address and transport: what an IP allow-list checks.</summary>
    public SipFlow Flow => Transaction.Flow;

    /// <summary>The dialog the request is in; null outside one.</summary>
    public SipDialog? Dialog { get; }

    /// <summary>The tag this side puts in To.</summary>
    public string LocalTag { get; }

    internal SipServerTransaction Transaction { get; }

    /// <summary>A response to the request with this side's To tag (and Contact on a 2xx to INVITE), not yet sent.</summary>
    public SipResponse CreateResponse(int status, string? reason = null, byte[]? body = null, string contentType = "application/sdp")
    {
        var response = SipResponse.CreateFor(Request, status, reason, status > 100 ? LocalTag : null);
        if (Request.Method is SipMethods.Invite or SipMethods.Refer or SipMethods.Subscribe && status is > 100 and < 300)
        {
            response.Headers.Add(HeaderNames.Contact, $"<{_agent.ContactFor(Flow.Transport)}>");
        }
        if (body is { Length: > 0 })
        {
            response.Headers.Add(HeaderNames.ContentType, contentType);
            response.Body = body;
        }
        return response;
    }

    public void Respond(int status, string? reason = null, byte[]? body = null, string contentType = "application/sdp") =>
        Respond(CreateResponse(status, reason, body, contentType));

    /// <summary>Sends a response; a 2xx to an INVITE is retransmitted until its ACK (RFC 3261 13.3.1.4).</summary>
    public virtual void Respond(SipResponse response) => _agent.Respond(this, response);
}

/// <summary>
/// An INVITE outside any dialog: ring (and send early media) with provisional responses, accept
/// with an answer, or reject. A CANCEL that comes first is answered 487 here and completes
/// <see cref="Cancelled"/>.
/// </summary>
public sealed class SipIncomingCall : SipIncomingRequest
{
    private readonly TaskCompletionSource _cancelled = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly SipUserAgent _agent;
    private int _answered;

    internal SipIncomingCall(SipUserAgent agent, SipServerTransaction transaction)
        : base(agent, transaction, null, SipIds.NewTag())
    {
        _agent = agent;
    }

    /// <summary>Completes if the caller cancelled before an answer.</summary>
    public Task Cancelled => _cancelled.Task;

    /// <summary>A provisional response: 180 Ringing, or 183 with early media (a body).</summary>
    public void Ring(int status = 180, byte[]? earlyMedia = null, string contentType = "application/sdp")
    {
        if (status is < 101 or > 199)
        {
            throw new ArgumentOutOfRangeException(nameof(status));
        }
        Respond(CreateResponse(status, body: earlyMedia, contentType: contentType));
    }

    /// <summary>Answers with a 2xx and an answer body: the dialog starts; it is confirmed when the ACK arrives.</summary>
    public SipDialog Accept(byte[] answer, string contentType = "application/sdp")
    {
        var response = CreateResponse(200, body: answer, contentType: contentType);
        foreach (var route in Request.Headers.GetAll(HeaderNames.RecordRoute))
        {
            response.Headers.Add(HeaderNames.RecordRoute, route);
        }
        Respond(response);
        return _agent.FindDialog(Request.CallId, LocalTag, Request.From.Tag!)!;
    }

    public void Reject(int status, string? reason = null) => Respond(CreateResponse(status, reason));

    public override void Respond(SipResponse response)
    {
        if (!response.IsProvisional && Interlocked.Exchange(ref _answered, 1) != 0)
        {
            throw new InvalidOperationException("The call has already been answered.");
        }
        base.Respond(response);
    }

    internal bool TryCancel()
    {
        if (Interlocked.Exchange(ref _answered, 1) != 0)
        {
            return false;
        }
        base.Respond(CreateResponse(487));
        _cancelled.TrySetResult();
        return true;
    }
}
