using System.Security.Cryptography;

namespace Contacto.Accounts;

/// <summary>Auth IDs and Auth Tokens, from the operating system's cryptographic random source.</summary>
public static class Credentials
{
    const string UpperAlphanumerics = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
    const string Alphanumerics = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

    public const int AuthIdLength = 20;
    public const int AuthTokenLength = 40;

    /// <summary><c>MA</c> or <c>SA</c> and 18 upper-case letters and digits.</summary>
    public static string NewAuthId(bool main) =>
        (main ? "MA" : "SA") + RandomNumberGenerator.GetString(UpperAlphanumerics, AuthIdLength - 2);

    /// <summary>40 letters and digits: about 238 bits.</summary>
    public static string NewAuthToken() => RandomNumberGenerator.GetString(Alphanumerics, AuthTokenLength);

    public static bool IsAuthId(string? value) =>
        value is { Length: AuthIdLength } && (value.StartsWith("MA", StringComparison.Ordinal) || value.StartsWith("SA", StringComparison.Ordinal))
        && value.AsSpan(2).IndexOfAnyExcept(UpperAlphanumerics) < 0;
}
