namespace Contacto.Smpp.Text;

/// <summary>Concatenation headers at the start of short_message (3GPP TS 23.040 9.2.3.24).</summary>
public static class UserDataHeader
{
    public const int Concatenation8Length = 6;
    public const int Concatenation16Length = 7;

    private const byte Concatenation8Ie = 0x00;
    private const byte Concatenation16Ie = 0x08;

    public static byte[] Concatenation(ushort reference, int total, int sequence, bool sixteenBitReference) =>
        sixteenBitReference
            ? [0x06, Concatenation16Ie, 0x04, (byte)(reference >> 8), (byte)reference, (byte)total, (byte)sequence]
            : [0x05, Concatenation8Ie, 0x03, (byte)reference, (byte)total, (byte)sequence];

    /// <summary>Octets the header takes (UDHL + 1), or -1 if it does not fit the message.</summary>
    public static int Length(ReadOnlySpan<byte> shortMessage) =>
        shortMessage.Length > 0 && shortMessage[0] + 1 <= shortMessage.Length ? shortMessage[0] + 1 : -1;

    /// <summary>Finds a concatenation element in a header; false for none or a malformed one.</summary>
    public static bool TryReadConcatenation(ReadOnlySpan<byte> shortMessage, out ConcatenationInfo info)
    {
        info = default;
        var length = Length(shortMessage);
        if (length < 0)
        {
            return false;
        }
        var elements = shortMessage[1..length];
        while (elements.Length >= 2)
        {
            var (id, size) = (elements[0], elements[1]);
            if (2 + size > elements.Length)
            {
                return false;
            }
            var data = elements.Slice(2, size);
            if (id == Concatenation8Ie && size == 3)
            {
                info = new ConcatenationInfo(data[0], data[1], data[2]);
                return true;
            }
            if (id == Concatenation16Ie && size == 4)
            {
                info = new ConcatenationInfo((ushort)(data[0] << 8 | data[1]), data[2], data[3]);
                return true;
            }
            elements = elements[(2 + size)..];
        }
        return false;
    }
}
