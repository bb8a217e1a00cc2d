using System.Net;
using Contacto.Media.Codecs;
using Contacto.Media.Srtp;

namespace Contacto.Media.Sdp;

/// <summary>
/// The outcome of one offer/answer exchange for the audio stream, from this side: what to send,
/// where, how, and what to expect. A re-INVITE (hold, resume, new address) gives a new one.
/// </summary>
public sealed record NegotiatedMedia
{
    public required AudioEncoding Encoding { get; init; }

    /// <summary>The payload type both sides use for <see cref="Encoding"/> (the offerer's number).</summary>
    public required int PayloadType { get; init; }

    /// <summary>The telephone-event payload type, or null when the peer does not take RFC 4733 events.</summary>
    public int? TelephoneEventPayloadType { get; init; }

    /// <summary>The packet time to send with: the peer's a=ptime when 10, 20 or 30 ms (within its maxptime), else 20.</summary>
    public required int SendPtimeMilliseconds { get; init; }

    /// <summary>This side's direction: whether to send and whether to expect media.</summary>
    public required MediaDirection Direction { get; init; }

    /// <summary>Where to send RTP, or null when the peer gave none (hold by 0.0.0.0, or port 0).</summary>
    public IPEndPoint? RemoteRtp { get; init; }

    /// <summary>Where to send RTCP: its a=rtcp, else the RTP port plus one.</summary>
    public IPEndPoint? RemoteRtcp { get; init; }

    /// <summary>The key this side protects its packets with, or null for plain RTP.</summary>
    public SrtpKeyMaterial? SendKey { get; init; }

    /// <summary>The key the peer protects its packets with, or null for plain RTP.</summary>
    public SrtpKeyMaterial? ReceiveKey { get; init; }

    /// <summary>True when the peer put the call on hold (it sends only or nothing, or gave 0.0.0.0).</summary>
    public bool RemoteHold { get; init; }

    public bool IsSecure => SendKey is not null;
}
