namespace Contacto.Carriers.Sip;

/// <summary>Section <c>Carriers:List:N:Sip</c>: how to reach a SIP trunk and how it reaches this platform.</summary>
public sealed class SipTrunkSettings
{
    /// <summary>The value of <see cref="CarrierOptions.Protocol"/> for a SIP trunk.</summary>
    public const string ProtocolName = "sip";

    /// <summary><c>udp</c>, <c>tcp</c> or <c>tls</c>; left out: <c>tls</c>, or <c>udp</c> for a carrier with <c>"Tls": false</c>.</summary>
    public string? Transport { get; set; }

    /// <summary>Digest credentials that answer the trunk's challenges (RFC 8760 SHA-256, or MD5); empty: none.</summary>
    public string UserName { get; set; } = "";
    public string Password { get; set; } = "";

    /// <summary>The host part of the callee's URI (<c>sip:+351912000001@DOMAIN</c>); left out: <c>Host</c>.</summary>
    public string? Domain { get; set; }

    /// <summary>OPTIONS keep-alives this far apart (100 to 1000); none answered for twice this and the trunk is down.</summary>
    public int KeepAliveMilliseconds { get; set; } = 400;

    /// <summary>An INVITE with no answer at all (not even 100 Trying, which a trunk sends within 200 ms) within this goes to the next trunk.</summary>
    public int InviteTimeoutMilliseconds { get; set; } = 1000;

    public SipInboundSettings Inbound { get; set; } = new();
}

/// <summary>Section <c>Carriers:List:N:Sip:Inbound</c>: who may place calls to this platform as this trunk.</summary>
public sealed class SipInboundSettings
{
    /// <summary>Addresses or networks (<c>192.0.2.0/24</c>) the trunk's calls come from; left out: the addresses of <c>Host</c>.</summary>
    public List<string> Networks { get; set; } = [];

    /// <summary>When set (with <see cref="Password"/>), the trunk's calls are challenged (digest, SHA-256 and MD5) and must answer with these.</summary>
    public string UserName { get; set; } = "";
    public string Password { get; set; } = "";
}
