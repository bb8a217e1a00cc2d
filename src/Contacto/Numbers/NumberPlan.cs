using System.Diagnostics.CodeAnalysis;
using System.Text.RegularExpressions;
using PhoneNumbers;

namespace Contacto.Numbers;

/// <summary>Numbering-plan checks of the numbers the API is given, and alphanumeric sender ids.</summary>
public static partial class NumberPlan
{
    /// <summary>The blind-index purpose shared by every phone number column, so one filter value finds them all.</summary>
    public const string IndexPurpose = "phone.e164";

    static readonly PhoneNumberUtil Plan = PhoneNumberUtil.GetInstance();

    /// <summary>Countries whose networks refuse alphanumeric sender ids.</summary>
    static readonly HashSet<string> NoAlphanumericSender = ["US", "CA", "PR", "CN"];

    /// <summary>
    /// A valid number in the numbering plan, given as Plivo clients do (bare digits with the country
    /// code, or with '+'): its E.164 form and its country.
    /// </summary>
    public static bool TryParse(string? input, [NotNullWhen(true)] out string? e164, [NotNullWhen(true)] out string? country)
    {
        e164 = country = null;
        if (!E164.TryNormalize(input, out var normalized))
            return false;
        try
        {
            var number = Plan.Parse(normalized, null);
            if (!Plan.IsValidNumber(number) || Plan.GetRegionCodeForNumber(number) is not { Length: 2 } region)
                return false;
            (e164, country) = (normalized, region);
            return true;
        }
        catch (NumberParseException)
        {
            return false;
        }
    }

    /// <summary>3 to 11 letters, digits, spaces, '-' or '.', with at least one letter.</summary>
    public static bool IsAlphanumericSender(string value) => AlphanumericSender().IsMatch(value) && value.Any(char.IsAsciiLetter);

    public static bool AllowsAlphanumericSender(string country) => !NoAlphanumericSender.Contains(country);

    /// <summary>Plivo's form in responses: digits without '+'.</summary>
    public static string Bare(string e164) => e164.TrimStart('+');

    /// <summary>For logs: the country code and the last two digits only.</summary>
    public static string Mask(string e164) => e164.Length <= 6 ? "***" : $"{e164[..3]}***{e164[^2..]}";

    [GeneratedRegex("^[A-Za-z0-9 .-]{3,11}$")]
    private static partial Regex AlphanumericSender();
}
