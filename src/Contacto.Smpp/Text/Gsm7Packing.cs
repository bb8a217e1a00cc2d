namespace Contacto.Smpp.Text;

/// <summary>
/// Packs septets eight to seven octets, as on the air interface, for carriers that want
/// packed GSM in short_message. Fill bits align the text after a user data header.
/// </summary>
public static class Gsm7Packing
{
    private const byte CarriageReturn = 0x0D;

    /// <summary>Fill bits that align septets after a header of this many octets.</summary>
    public static int FillBitsAfterHeader(int headerOctets) => (7 - headerOctets * 8 % 7) % 7;

    public static byte[] Pack(ReadOnlySpan<byte> septets, int fillBits = 0)
    {
        var bits = fillBits + septets.Length * 7;
        var output = new byte[(bits + 7) / 8];
        for (var i = 0; i < septets.Length; i++)
        {
            Write(output, fillBits + i * 7, septets[i]);
        }
        // Seven spare bits would read as '@'; 03.38 pads them with CR instead.
        if (output.Length * 8 - bits == 7)
        {
            Write(output, bits, CarriageReturn);
        }
        return output;
    }

    public static byte[] Unpack(ReadOnlySpan<byte> octets, int fillBits = 0)
    {
        var count = Math.Max(0, (octets.Length * 8 - fillBits) / 7);
        var septets = new byte[count];
        for (var i = 0; i < count; i++)
        {
            var position = fillBits + i * 7;
            var value = octets[position / 8] >> (position % 8);
            if (position % 8 > 1 && position / 8 + 1 < octets.Length)
            {
                value |= octets[position / 8 + 1] << (8 - position % 8);
            }
            septets[i] = (byte)(value & 0x7F);
        }
        var paddedExactly = count > 0 && (fillBits + count * 7) % 8 == 0 && (fillBits + (count - 1) * 7) % 8 == 1;
        return paddedExactly && septets[^1] == CarriageReturn ? septets[..^1] : septets;
    }

    private static void Write(byte[] output, int position, byte septet)
    {
        var index = position / 8;
        var shift = position % 8;
        output[index] |= (byte)(septet << shift);
        if (shift > 1)
        {
            output[index + 1] |= (byte)(septet >> (8 - shift));
        }
    }
}
