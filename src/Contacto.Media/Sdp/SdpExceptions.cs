namespace Contacto.Media.Sdp;

/// <summary>A session description that breaks RFC 4566 or the parser's limits. Answer SIP 400.</summary>
public sealed class SdpFormatException(string message) : MediaException(message);

/// <summary>
/// A well-formed offer or answer with nothing acceptable in it (no common codec, SRTP required
/// and not offered, no audio stream). Answer SIP 488 Not Acceptable Here.
/// </summary>
public sealed class SdpNegotiationException(string message) : MediaException(message);
