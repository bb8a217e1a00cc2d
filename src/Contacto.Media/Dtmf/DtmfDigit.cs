namespace Contacto.Media.Dtmf;

/// <summary>How a digit reached the call.</summary>
public enum DtmfSource
{
    /// <summary>An RFC 4733 telephone-event in the RTP stream.</summary>
    Rfc4733,

    /// <summary>Dual tones in the audio, found by the Goertzel detector.</summary>
    InBand,

    /// <summary>A SIP INFO request (application/dtmf-relay or application/dtmf).</summary>
    SipInfo,
}

/// <summary>One key press, reported once.</summary>
public readonly record struct DtmfDigit(char Digit, DtmfSource Source)
{
    public const string Keys = "0123456789*#ABCD";

    /// <summary>The RFC 4733 event code of a key (0-15), or -1.</summary>
    public static int EventCode(char digit) => Keys.IndexOf(char.ToUpperInvariant(digit));

    public static bool IsKey(char digit) => EventCode(digit) >= 0;
}
