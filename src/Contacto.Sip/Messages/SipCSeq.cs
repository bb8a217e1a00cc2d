using System.Globalization;

namespace Contacto.Sip.Messages;

/// <summary>CSeq: a sequence number that fits 32 bits unsigned and a method (RFC 3261 20.16).</summary>
public sealed record SipCSeq(uint Number, string Method)
{
    public static SipCSeq Parse(string text)
    {
        var scanner = new SipScanner(text);
        scanner.SkipSpace();
        var digits = scanner.ReadWhile(char.IsAsciiDigit);
        if (digits.IsEmpty || !uint.TryParse(digits, NumberStyles.None, CultureInfo.InvariantCulture, out var number))
        {
            throw scanner.Error("CSeq number is not a 32-bit unsigned integer");
        }
        var before = scanner.Position;
        scanner.SkipSpace();
        if (scanner.Position == before)
        {
            throw scanner.Error("white space expected in CSeq");
        }
        var method = scanner.ReadToken();
        scanner.SkipSpace();
        if (!scanner.AtEnd)
        {
            throw scanner.Error("unexpected text in CSeq");
        }
        return new SipCSeq(number, method);
    }

    public override string ToString() => $"{Number.ToString(CultureInfo.InvariantCulture)} {Method}";
}
