namespace Contacto.Smpp.Text;

/// <summary>How a text goes out: its alphabet, data_coding, and the text of each part.</summary>
public sealed record SmsPlan(SmsAlphabet Alphabet, byte DataCoding, IReadOnlyList<string> Parts)
{
    /// <summary>Parts the handset receives (and the customer pays for).</summary>
    public int SegmentCount => Parts.Count;
}
