namespace Contacto.Smpp.Text;

/// <summary>
/// GSM 03.38 default alphabet and extension table. Extension characters are sent as
/// ESC (0x1B) followed by their code, so they take two septets.
/// </summary>
public static class Gsm7Alphabet
{
    public const byte Escape = 0x1B;

    private const string Basic =
        "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞ\u001BÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?" +
        "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà";

    private static readonly Dictionary<char, byte> BasicCodes = BuildBasic();

    private static readonly Dictionary<char, byte> ExtensionCodes = new()
    {
        ['\f'] = 0x0A, ['^'] = 0x14, ['{'] = 0x28, ['}'] = 0x29, ['\\'] = 0x2F,
        ['['] = 0x3C, ['~'] = 0x3D, [']'] = 0x3E, ['|'] = 0x40, ['€'] = 0x65,
    };

    private static readonly Dictionary<byte, char> ExtensionChars = ExtensionCodes.ToDictionary(p => p.Value, p => p.Key);

    /// <summary>Septets the character takes: 1, 2 for the extension table, 0 if it has none.</summary>
    public static int SeptetsFor(char c) =>
        c != '\u001B' && BasicCodes.ContainsKey(c) ? 1 : ExtensionCodes.ContainsKey(c) ? 2 : 0;

    public static bool CanEncode(string text)
    {
        foreach (var c in text)
        {
            if (SeptetsFor(c) == 0)
            {
                return false;
            }
        }
        return true;
    }

    /// <summary>One septet per octet, as SMPP carries GSM text unless a carrier wants it packed.</summary>
    public static byte[] EncodeUnpacked(ReadOnlySpan<char> text)
    {
        var output = new List<byte>(text.Length);
        foreach (var c in text)
        {
            if (c != '\u001B' && BasicCodes.TryGetValue(c, out var code))
            {
                output.Add(code);
            }
            else if (ExtensionCodes.TryGetValue(c, out var extended))
            {
                output.Add(Escape);
                output.Add(extended);
            }
            else
            {
                throw new ArgumentException("The text has a character outside the GSM 7-bit alphabet.", nameof(text));
            }
        }
        return [.. output];
    }

    /// <summary>Decodes septets (one per octet); unknown extension codes read as their basic character, as 03.38 says.</summary>
    public static string DecodeUnpacked(ReadOnlySpan<byte> septets)
    {
        var output = new System.Text.StringBuilder(septets.Length);
        for (var i = 0; i < septets.Length; i++)
        {
            var septet = (byte)(septets[i] & 0x7F);
            if (septet == Escape && i + 1 < septets.Length)
            {
                var next = (byte)(septets[++i] & 0x7F);
                output.Append(ExtensionChars.TryGetValue(next, out var extended) ? extended : Basic[next]);
            }
            else if (septet != Escape)
            {
                output.Append(Basic[septet]);
            }
        }
        return output.ToString();
    }

    private static Dictionary<char, byte> BuildBasic()
    {
        var codes = new Dictionary<char, byte>();
        for (var i = 0; i < Basic.Length; i++)
        {
            codes[Basic[i]] = (byte)i;
        }
        return codes;
    }
}
