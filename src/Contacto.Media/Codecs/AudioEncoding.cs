namespace Contacto.Media.Codecs;

/// <summary>The G.711 encodings this library speaks, with their static RTP payload types (RFC 3551).</summary>
public enum AudioEncoding
{
    /// <summary>G.711 μ-law, payload type 0.</summary>
    Pcmu = 0,

    /// <summary>G.711 A-law, payload type 8.</summary>
    Pcma = 8,
}

public static class AudioEncodings
{
    public const int ClockRate = 8000;

    public static string SdpName(this AudioEncoding encoding) => encoding == AudioEncoding.Pcmu ? "PCMU" : "PCMA";

    public static int StaticPayloadType(this AudioEncoding encoding) => (int)encoding;
}
