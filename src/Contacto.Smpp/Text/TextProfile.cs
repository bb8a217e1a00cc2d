namespace Contacto.Smpp.Text;

/// <summary>How one carrier wants text: what data_coding 0 means, packing, Latin-1, concatenation.</summary>
public sealed record TextProfile
{
    public static TextProfile Default { get; } = new();

    /// <summary>The alphabet the carrier reads and writes for data_coding 0.</summary>
    public SmsAlphabet SmscDefaultAlphabet { get; init; } = SmsAlphabet.Gsm7;

    /// <summary>GSM text packed eight septets to seven octets in short_message; most SMSCs want it unpacked.</summary>
    public bool PackGsm7 { get; init; }

    /// <summary>Send Latin-1 (data_coding 3) when GSM cannot carry the text but Latin-1 can.</summary>
    public bool AllowLatin1 { get; init; }

    public ConcatenationMode Concatenation { get; init; } = ConcatenationMode.Udh8BitReference;
}
