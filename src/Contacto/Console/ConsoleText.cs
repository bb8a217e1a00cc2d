using System.Security.Cryptography;
using System.Text;

namespace Contacto.Console;

/// <summary>Small rules shared by the console's forms: e-mail addresses, secrets, return addresses.</summary>
internal static class ConsoleText
{
    public const int MaxEmailLength = 254;
    public const int MinPasswordLength = 12;
    public const int MaxPasswordLength = 256;
    public const string Home = "/console/account";

    /// <summary>Trimmed and lower-cased, or null when it is not a plausible address.</summary>
    public static string? NormaliseEmail(string? value)
    {
        var email = value?.Trim().ToLowerInvariant();
        if (email is null || email.Length is < 3 or > MaxEmailLength || email.Any(char.IsControl) || email.Any(char.IsWhiteSpace))
            return null;
        var at = email.IndexOf('@');
        return at > 0 && at == email.LastIndexOf('@') && at < email.Length - 1 ? email : null;
    }

    /// <summary>32 bytes from the cryptographic random source, URL-safe.</summary>
    public static string NewSecretToken() => Base64Url(RandomNumberGenerator.GetBytes(32));

    public static byte[] Hash(string value) => SHA256.HashData(Encoding.UTF8.GetBytes(value));

    /// <summary>
    /// Only a path of the console itself may be a return address: anything that could leave the
    /// site (<c>//host</c>, <c>/\host</c>, a scheme) falls back to the console's home.
    /// </summary>
    public static string SafeReturnUrl(string? value) =>
        value is { Length: > 0 and <= 512 } && value.StartsWith("/console/", StringComparison.Ordinal)
        && !value.Contains("//", StringComparison.Ordinal) && !value.Contains('\\') && !value.Any(char.IsControl)
            ? value
            : Home;

    static string Base64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}
