namespace Contacto.Media.Codecs;

/// <summary>
/// G.711 μ-law and A-law, bit-exact with the ITU-T reference implementation (G.191's g711.c):
/// 16-bit linear samples of which μ-law keeps the 14 and A-law the 13 most significant bits,
/// negative values folded by one's complement. Encoding and decoding are table look-ups built
/// once from that arithmetic.
/// </summary>
public static class G711
{
    /// <summary>The code of linear zero: what silence sounds like on the wire.</summary>
    public const byte MuLawSilence = 0xFF;

    public const byte ALawSilence = 0xD5;

    private static readonly short[] MuLawDecodeTable = BuildDecodeTable(MuLawExpand);
    private static readonly short[] ALawDecodeTable = BuildDecodeTable(ALawExpand);
    private static readonly byte[] MuLawEncodeTable = BuildEncodeTable(MuLawCompress);
    private static readonly byte[] ALawEncodeTable = BuildEncodeTable(ALawCompress);

    public static byte Silence(AudioEncoding encoding) => encoding == AudioEncoding.Pcmu ? MuLawSilence : ALawSilence;

    public static byte EncodeMuLaw(short sample) => MuLawEncodeTable[(ushort)sample];

    public static byte EncodeALaw(short sample) => ALawEncodeTable[(ushort)sample];

    public static short DecodeMuLaw(byte code) => MuLawDecodeTable[code];

    public static short DecodeALaw(byte code) => ALawDecodeTable[code];

    public static void Encode(AudioEncoding encoding, ReadOnlySpan<short> samples, Span<byte> codes)
    {
        var table = encoding == AudioEncoding.Pcmu ? MuLawEncodeTable : ALawEncodeTable;
        for (var i = 0; i < samples.Length; i++)
        {
            codes[i] = table[(ushort)samples[i]];
        }
    }

    public static void Decode(AudioEncoding encoding, ReadOnlySpan<byte> codes, Span<short> samples)
    {
        var table = encoding == AudioEncoding.Pcmu ? MuLawDecodeTable : ALawDecodeTable;
        for (var i = 0; i < codes.Length; i++)
        {
            samples[i] = table[codes[i]];
        }
    }

    /// <summary>Converts codes from one law to the other through linear (the bridge's transcoding).</summary>
    public static void Transcode(AudioEncoding from, AudioEncoding to, ReadOnlySpan<byte> codes, Span<byte> output)
    {
        var decode = from == AudioEncoding.Pcmu ? MuLawDecodeTable : ALawDecodeTable;
        var encode = to == AudioEncoding.Pcmu ? MuLawEncodeTable : ALawEncodeTable;
        for (var i = 0; i < codes.Length; i++)
        {
            output[i] = encode[(ushort)decode[codes[i]]];
        }
    }

    internal static byte MuLawCompress(short sample)
    {
        var magnitude = (sample < 0 ? (~sample) >> 2 : sample >> 2) + 33;
        if (magnitude > 0x1FFF)
        {
            magnitude = 0x1FFF;
        }
        var segment = 1;
        for (var i = magnitude >> 6; i != 0; i >>= 1)
        {
            segment++;
        }
        var high = 8 - segment;
        var low = 0xF - ((magnitude >> segment) & 0xF);
        var code = (high << 4) | low;
        return (byte)(sample >= 0 ? code | 0x80 : code);
    }

    internal static short MuLawExpand(byte code)
    {
        var sign = code < 0x80 ? -1 : 1;
        var inverted = ~code;
        var exponent = (inverted >> 4) & 0x7;
        var mantissa = inverted & 0xF;
        var step = 4 << (exponent + 1);
        return (short)(sign * ((0x80 << exponent) + step * mantissa + step / 2 - 4 * 33));
    }

    internal static byte ALawCompress(short sample)
    {
        var magnitude = sample < 0 ? (~sample) >> 4 : sample >> 4;
        if (magnitude > 15)
        {
            var exponent = 1;
            while (magnitude > 16 + 15)
            {
                magnitude >>= 1;
                exponent++;
            }
            magnitude = magnitude - 16 + (exponent << 4);
        }
        if (sample >= 0)
        {
            magnitude |= 0x80;
        }
        return (byte)(magnitude ^ 0x55);
    }

    internal static short ALawExpand(byte code)
    {
        var value = (code ^ 0x55) & 0x7F;
        var exponent = value >> 4;
        var mantissa = value & 0xF;
        if (exponent > 0)
        {
            mantissa += 16;
        }
        mantissa = (mantissa << 4) + 0x8;
        if (exponent > 1)
        {
            mantissa <<= exponent - 1;
        }
        return (short)(code > 127 ? mantissa : -mantissa);
    }

    private static short[] BuildDecodeTable(Func<byte, short> expand)
    {
        var table = new short[256];
        for (var code = 0; code < 256; code++)
        {
            table[code] = expand((byte)code);
        }
        return table;
    }

    private static byte[] BuildEncodeTable(Func<short, byte> compress)
    {
        var table = new byte[65536];
        for (var sample = short.MinValue; ; sample++)
        {
            table[(ushort)sample] = compress(sample);
            if (sample == short.MaxValue)
            {
                break;
            }
        }
        return table;
    }
}
