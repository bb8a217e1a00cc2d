namespace Contacto.Smpp.Text;

/// <summary>
/// How many characters units fit in one part: 140 octets of user data less the header,
/// in septets (GSM), octets (Latin-1) or 16-bit units (UCS-2). This gives the familiar
/// 160/153 (152 with a 16-bit reference), 140/134 and 70/67.
/// </summary>
internal static class SegmentCapacity
{
    private const int UserDataBits = 140 * 8;

    public static int UnitsPerPart(SmsAlphabet alphabet, int headerOctets) =>
        (UserDataBits - headerOctets * 8) / BitsPerUnit(alphabet);

    /// <summary>Header octets each part of a long message carries on the air interface.</summary>
    public static int ConcatenationHeaderOctets(ConcatenationMode mode) =>
        mode == ConcatenationMode.Udh16BitReference ? UserDataHeader.Concatenation16Length : UserDataHeader.Concatenation8Length;

    private static int BitsPerUnit(SmsAlphabet alphabet) => alphabet switch
    {
        SmsAlphabet.Gsm7 => 7,
        SmsAlphabet.Ucs2 => 16,
        _ => 8,
    };
}
