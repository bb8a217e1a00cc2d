namespace Contacto.Smpp.Text;

/// <summary>
/// Chooses the alphabet for a text and splits it into parts that fit: GSM 7-bit when every
/// character is in the GSM tables, Latin-1 when the carrier allows it and it fits, else
/// UCS-2. Extension characters count two septets and are never split from their escape;
/// surrogate pairs are never split either.
/// </summary>
public static class SmsPlanner
{
    public static SmsPlan Plan(string text, TextProfile profile)
    {
        var alphabet = ChooseAlphabet(text, profile);
        var single = SegmentCapacity.UnitsPerPart(alphabet, 0);
        var parts = TotalUnits(text, alphabet) <= single
            ? [text]
            : Split(text, alphabet, SegmentCapacity.UnitsPerPart(alphabet, SegmentCapacity.ConcatenationHeaderOctets(profile.Concatenation)));
        return new SmsPlan(alphabet, DataCodingFor(alphabet, profile), parts);
    }

    public static int CountSegments(string text, TextProfile profile) => Plan(text, profile).SegmentCount;

    public static SmsAlphabet ChooseAlphabet(string text, TextProfile profile)
    {
        if (profile.SmscDefaultAlphabet == SmsAlphabet.Gsm7 && Gsm7Alphabet.CanEncode(text))
        {
            return SmsAlphabet.Gsm7;
        }
        var latin1Allowed = profile.AllowLatin1 || profile.SmscDefaultAlphabet == SmsAlphabet.Latin1;
        return latin1Allowed && text.All(c => c <= '\u00FF') ? SmsAlphabet.Latin1 : SmsAlphabet.Ucs2;
    }

    /// <summary>The text of one part in the alphabet's bytes (GSM unpacked, one septet per octet).</summary>
    public static byte[] Encode(string part, SmsAlphabet alphabet) => alphabet switch
    {
        SmsAlphabet.Gsm7 => Gsm7Alphabet.EncodeUnpacked(part),
        SmsAlphabet.Latin1 => System.Text.Encoding.Latin1.GetBytes(part),
        SmsAlphabet.Ascii => System.Text.Encoding.ASCII.GetBytes(part),
        _ => System.Text.Encoding.BigEndianUnicode.GetBytes(part),
    };

    private static byte DataCodingFor(SmsAlphabet alphabet, TextProfile profile) =>
        alphabet == profile.SmscDefaultAlphabet ? DataCodings.SmscDefault
        : alphabet == SmsAlphabet.Latin1 ? DataCodings.Latin1
        : DataCodings.Ucs2;

    private static int TotalUnits(string text, SmsAlphabet alphabet)
    {
        var total = 0;
        for (var i = 0; i < text.Length; i += CharsAt(text, i, alphabet))
        {
            total += UnitsAt(text, i, alphabet);
        }
        return total;
    }

    private static List<string> Split(string text, SmsAlphabet alphabet, int capacity)
    {
        var parts = new List<string>();
        int start = 0, units = 0;
        for (var i = 0; i < text.Length; i += CharsAt(text, i, alphabet))
        {
            var needed = UnitsAt(text, i, alphabet);
            if (units + needed > capacity)
            {
                parts.Add(text[start..i]);
                (start, units) = (i, 0);
            }
            units += needed;
        }
        parts.Add(text[start..]);
        return parts;
    }

    // A surrogate pair moves as one: two UCS-2 units, never cut in half.
    private static int CharsAt(string text, int index, SmsAlphabet alphabet) =>
        alphabet == SmsAlphabet.Ucs2 && char.IsHighSurrogate(text[index]) && index + 1 < text.Length
            && char.IsLowSurrogate(text[index + 1]) ? 2 : 1;

    private static int UnitsAt(string text, int index, SmsAlphabet alphabet) => alphabet switch
    {
        SmsAlphabet.Gsm7 => Gsm7Alphabet.SeptetsFor(text[index]),
        SmsAlphabet.Ucs2 => CharsAt(text, index, alphabet),
        _ => 1,
    };
}
