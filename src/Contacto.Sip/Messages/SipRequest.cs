namespace Contacto.Sip.Messages;

public sealed class SipRequest(string method, SipUri requestUri) : SipMessage
{
    /// <summary>Case-sensitive (RFC 3261 7.1): "INVITE" and "invite" are different methods.</summary>
    public string Method { get; } = method;

    public SipUri RequestUri { get; set; } = requestUri;

    public override string StartLine => $"{Method} {RequestUri} SIP/2.0";
}
