using System.Text.RegularExpressions;

namespace Contacto.Observability;

/// <summary>
/// Rewrites text bound for logs so that card numbers, secrets and phone numbers never reach them.
/// Percent-escapes of printable characters are decoded first, so what a URL encodes
/// (<c>%2B351...</c>, <c>token%3D...</c>) is caught like plain text. Then card-like digit runs that
/// pass the Luhn check become <c>[card]</c>; credentials after <c>Basic</c>/<c>Bearer</c> or
/// secret-named keys become <c>[redacted]</c>; long token-like strings (32 or more letters, digits,
/// '-', '_' or '+', with both letters and digits, such as base64url tokens; '/' ends one, so paths
/// stay readable, and a UUID is not one) become <c>[secret]</c>; other runs of seven or more digits
/// (phone numbers) keep only their first two and last two digits. Dates and addresses, whose digits
/// are split by '-', ':' or '.', are left readable.
/// </summary>
internal static partial class LogRedactor
{
    public static string Redact(string? text)
    {
        if (string.IsNullOrEmpty(text))
            return text ?? "";
        var result = PercentEscape().Replace(text, m => ((char)Convert.ToInt32(m.Groups[1].Value, 16)).ToString());
        result = AuthorizationScheme().Replace(result, m => m.Groups["scheme"].Value + " [redacted]");
        result = SecretAssignment().Replace(result, m => m.Groups["key"].Value + m.Groups["sep"].Value + "[redacted]");
        result = TokenLike().Replace(result, m => LooksLikeToken(m.Value) ? "[secret]" : m.Value);
        result = CardLike().Replace(result, m => IsLuhnValid(m.Value) ? "[card]" : m.Value);
        result = PhoneLike().Replace(result, m => MaskDigits(m.Value));
        return result;
    }

    static bool LooksLikeToken(string value) =>
        value.Any(char.IsDigit) && value.Any(char.IsLetter) && !Guid.TryParseExact(value, "D", out _);

    static string MaskDigits(string value)
    {
        var digits = value.Count(char.IsDigit);
        var seen = 0;
        return string.Create(value.Length, value, (span, source) =>
        {
            for (var i = 0; i < source.Length; i++)
            {
                var c = source[i];
                if (char.IsDigit(c))
                {
                    seen++;
                    span[i] = seen <= 2 || seen > digits - 2 ? c : '*';
                }
                else
                {
                    span[i] = c;
                }
            }
        });
    }

    internal static bool IsLuhnValid(string candidate)
    {
        var sum = 0;
        var count = 0;
        var doubleIt = false;
        for (var i = candidate.Length - 1; i >= 0; i--)
        {
            var c = candidate[i];
            if (!char.IsAsciiDigit(c))
                continue;
            var d = c - '0';
            if (doubleIt)
            {
                d *= 2;
                if (d > 9)
                    d -= 9;
            }
            sum += d;
            doubleIt = !doubleIt;
            count++;
        }
        return count is >= 13 and <= 19 && sum % 10 == 0;
    }

    [GeneratedRegex(@"(?<scheme>\b(?:Basic|Bearer|Digest))\s+[A-Za-z0-9+/=._~-]+", RegexOptions.IgnoreCase)]
    private static partial Regex AuthorizationScheme();

    [GeneratedRegex(@"(?<key>\b[\w-]*?(?:password|passwd|passphrase|secret|token|api[_-]?key|pin|authorization|private[_-]?key))\b(?<sep>""?\s*[:=]\s*""?)[^\s"",;&]+", RegexOptions.IgnoreCase)]
    private static partial Regex SecretAssignment();

    [GeneratedRegex(@"(?<![A-Za-z0-9+_-])[A-Za-z0-9+_-]{32,}={0,2}(?![A-Za-z0-9+_-])")]
    private static partial Regex TokenLike();

    /// <summary>%20 to %7E: printable ASCII only, so decoding never makes a control character (a forged log line).</summary>
    [GeneratedRegex("%([2-6][0-9A-Fa-f]|7[0-9A-Ea-e])")]
    private static partial Regex PercentEscape();

    [GeneratedRegex(@"(?<![\d])\d(?:[ -]?\d){12,18}(?![\d])")]
    private static partial Regex CardLike();

    [GeneratedRegex(@"(?<![\w*+-])(?<!\d[ ()]{1,2})\+?\d(?:[ ()]{0,2}\d){6,14}(?![ ()]{0,2}\d)(?!\w)")]
    private static partial Regex PhoneLike();
}
