using System.Diagnostics.CodeAnalysis;

namespace Contacto.Numbers;

/// <summary>
/// Canonical form of a phone number for blind indexes: '+' and 7 to 15 digits, the first not 0.
/// Accepts "+44 20 7946 0000", "0044-20-7946-0000" and Plivo's bare "442079460000" alike, so
/// one number always gives one index. It checks shape only; numbering-plan validation is the API's job.
/// </summary>
internal static class E164
{
    public static string Normalize(string input) => TryNormalize(input, out var normalized)
        ? normalized
        : throw new FormatException("The value is not a phone number in international (E.164) form.");

    public static bool TryNormalize(string? input, [NotNullWhen(true)] out string? normalized)
    {
        normalized = null;
        if (input is null)
        {
            return false;
        }
        Span<char> digits = stackalloc char[16];
        var count = 0;
        var text = input.AsSpan().Trim();
        if (text.StartsWith("+"))
        {
            text = text[1..];
        }
        else if (text.StartsWith("00"))
        {
            text = text[2..];
        }
        foreach (var c in text)
        {
            if (c is ' ' or '-' or '.' or '(' or ')')
            {
                continue;
            }
            if (!char.IsAsciiDigit(c) || count == 15)
            {
                return false;
            }
            digits[count++] = c;
        }
        if (count < 7 || digits[0] == '0')
        {
            return false;
        }
        normalized = string.Concat("+", digits[..count]);
        return true;
    }
}
