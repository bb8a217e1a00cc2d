using Contacto.Media.Codecs;
using Contacto.Media.Srtp;

namespace Contacto.Media.Sdp;

/// <summary>Whether a leg speaks SRTP.</summary>
public enum SrtpPolicy
{
    /// <summary>Plain RTP only: offers RTP/AVP, refuses RTP/SAVP offers.</summary>
    Off,

    /// <summary>Offers plain RTP; accepts RTP/SAVP offers (answers with SRTP).</summary>
    Optional,

    /// <summary>Offers RTP/SAVP and refuses plain RTP (a trunk or phone that must be encrypted).</summary>
    Required,
}

/// <summary>What one leg is willing to do, in order of preference.</summary>
public sealed record MediaCapabilities
{
    public IReadOnlyList<AudioEncoding> Encodings { get; init; } = [AudioEncoding.Pcmu, AudioEncoding.Pcma];

    /// <summary>The payload type offered for telephone-event (RFC 4733); null offers none.</summary>
    public int? TelephoneEventPayloadType { get; init; } = 101;

    /// <summary>The packet time this side asks to receive (a=ptime): 10, 20 or 30 ms.</summary>
    public int PtimeMilliseconds { get; init; } = 20;

    public SrtpPolicy Srtp { get; init; } = SrtpPolicy.Optional;

    public IReadOnlyList<SrtpSuite> SrtpSuites { get; init; } = [SrtpSuite.AesCm128HmacSha1_80, SrtpSuite.AesCm128HmacSha1_32];

    public static bool IsSupportedPtime(int milliseconds) => milliseconds is 10 or 20 or 30;
}
