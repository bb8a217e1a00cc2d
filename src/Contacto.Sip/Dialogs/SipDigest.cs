using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Contacto.Sip.Messages;

namespace Contacto.Sip.Dialogs;

/// <summary>A user name and password for digest authentication; never logged, never in an exception.</summary>
public sealed record SipCredentials(string UserName, string Password)
{
    /// <summary>Only the user name: the password stays out of logs and test output.</summary>
    public override string ToString() => $"SipCredentials {{ UserName = {UserName} }}";
}

/// <summary>One Digest challenge of a WWW-Authenticate or Proxy-Authenticate header.</summary>
public sealed record SipDigestChallenge(string Realm, string Nonce, string? Opaque, string Algorithm, IReadOnlyList<string> Qop, bool Stale)
{
    /// <summary>The challenge, or null for another scheme (RFC 4475 3.3.7) or a malformed one.</summary>
    public static SipDigestChallenge? TryParse(string header)
    {
        var fields = SipDigest.ReadFields(header, out var scheme);
        if (fields is null || !scheme.Equals("Digest", StringComparison.OrdinalIgnoreCase)
            || !fields.TryGetValue("realm", out var realm) || !fields.TryGetValue("nonce", out var nonce))
        {
            return null;
        }
        var algorithm = fields.GetValueOrDefault("algorithm") ?? "MD5";
        if (SipDigest.HashOf(algorithm) is null)
        {
            return null;
        }
        var qop = fields.GetValueOrDefault("qop")?.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries) ?? [];
        return new SipDigestChallenge(realm, nonce, fields.GetValueOrDefault("opaque"), algorithm, qop,
            string.Equals(fields.GetValueOrDefault("stale"), "true", StringComparison.OrdinalIgnoreCase));
    }
}

/// <summary>
/// Client digest authentication for SIP (RFC 3261 22, RFC 8760): MD5 and SHA-256, with qop=auth
/// when the challenge offers it (RFC 2617's form without qop otherwise). Of several challenges
/// the strongest algorithm wins.
/// </summary>
public static class SipDigest
{
    /// <summary>The Authorization (401) or Proxy-Authorization (407) header answering the challenges of a response; null if none can be answered.</summary>
    public static (string Name, string Value)? Answer(SipResponse challenge, SipRequest request, SipCredentials credentials, int nonceCount = 1, string? cnonce = null)
    {
        var (challengeHeader, answerHeader) = challenge.StatusCode == 407
            ? (HeaderNames.ProxyAuthenticate, HeaderNames.ProxyAuthorization)
            : (HeaderNames.WwwAuthenticate, HeaderNames.Authorization);
        var best = challenge.Headers.GetAll(challengeHeader)
            .Select(SipDigestChallenge.TryParse)
            .OfType<SipDigestChallenge>()
            .OrderByDescending(c => c.Algorithm.StartsWith("SHA-256", StringComparison.OrdinalIgnoreCase))
            .FirstOrDefault();
        return best is null ? null : (answerHeader, Authorization(best, request.Method, request.RequestUri.ToString(), credentials, nonceCount, cnonce));
    }

    public static string Authorization(SipDigestChallenge challenge, string method, string uri, SipCredentials credentials, int nonceCount = 1, string? cnonce = null)
    {
        var hash = HashOf(challenge.Algorithm)!;
        var useQop = challenge.Qop.Contains("auth", StringComparer.OrdinalIgnoreCase);
        cnonce ??= Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));
        var nc = nonceCount.ToString("x8", CultureInfo.InvariantCulture);
        var ha1 = hash($"{credentials.UserName}:{challenge.Realm}:{credentials.Password}");
        if (challenge.Algorithm.EndsWith("-sess", StringComparison.OrdinalIgnoreCase))
        {
            ha1 = hash($"{ha1}:{challenge.Nonce}:{cnonce}");
        }
        var ha2 = hash($"{method}:{uri}");
        var response = useQop
            ? hash($"{ha1}:{challenge.Nonce}:{nc}:{cnonce}:auth:{ha2}")
            : hash($"{ha1}:{challenge.Nonce}:{ha2}");
        var text = new StringBuilder("Digest ");
        text.Append("username=").Append(Quote(credentials.UserName));
        text.Append(", realm=").Append(Quote(challenge.Realm));
        text.Append(", nonce=").Append(Quote(challenge.Nonce));
        text.Append(", uri=").Append(Quote(uri));
        text.Append(", response=").Append(Quote(response));
        text.Append(", algorithm=").Append(challenge.Algorithm);
        if (challenge.Opaque is not null)
        {
            text.Append(", opaque=").Append(Quote(challenge.Opaque));
        }
        if (useQop)
        {
            text.Append(", qop=auth, nc=").Append(nc).Append(", cnonce=").Append(Quote(cnonce));
        }
        return text.ToString();
    }

    /// <summary>A challenge for a WWW-Authenticate or Proxy-Authenticate header, qop=auth.</summary>
    public static string Challenge(string realm, string nonce, string algorithm = "SHA-256", string? opaque = null)
    {
        if (HashOf(algorithm) is null)
        {
            throw new ArgumentException("MD5 or SHA-256 (or their -sess forms).", nameof(algorithm));
        }
        var text = new StringBuilder("Digest realm=").Append(Quote(realm)).Append(", nonce=").Append(Quote(nonce))
            .Append(", algorithm=").Append(algorithm).Append(", qop=\"auth\"");
        if (opaque is not null)
        {
            text.Append(", opaque=").Append(Quote(opaque));
        }
        return text.ToString();
    }

    /// <summary>
    /// Checks an Authorization or Proxy-Authorization value against the password of the user it
    /// names, for this realm and nonce, in constant time; the caller checks that the nonce is one
    /// it issued and fresh.
    /// </summary>
    public static bool Verify(string authorization, string method, string realm, string nonce, Func<string, string?> passwordOf)
    {
        var fields = ReadFields(authorization, out var scheme);
        if (fields is null || !scheme.Equals("Digest", StringComparison.OrdinalIgnoreCase)
            || fields.GetValueOrDefault("realm") != realm || fields.GetValueOrDefault("nonce") != nonce
            || !fields.TryGetValue("username", out var user) || !fields.TryGetValue("uri", out var uri)
            || !fields.TryGetValue("response", out var response) || passwordOf(user) is not { } password)
        {
            return false;
        }
        var algorithm = fields.GetValueOrDefault("algorithm") ?? "MD5";
        var qop = fields.GetValueOrDefault("qop");
        if (HashOf(algorithm) is null || qop is not (null or "auth"))
        {
            return false;
        }
        var challenge = new SipDigestChallenge(realm, nonce, fields.GetValueOrDefault("opaque"), algorithm, qop is null ? [] : ["auth"], false);
        var nonceCount = qop is null ? 1 : int.TryParse(fields.GetValueOrDefault("nc"), NumberStyles.HexNumber, CultureInfo.InvariantCulture, out var nc) ? nc : -1;
        if (nonceCount < 0)
        {
            return false;
        }
        var expected = ReadFields(Authorization(challenge, method, uri, new SipCredentials(user, password), nonceCount, fields.GetValueOrDefault("cnonce")), out _)!["response"];
        return CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(expected), Encoding.ASCII.GetBytes(response.ToLowerInvariant()));
    }

    internal static Func<string, string>? HashOf(string algorithm) => algorithm.ToUpperInvariant() switch
    {
        "MD5" or "MD5-SESS" => text => Convert.ToHexStringLower(MD5.HashData(Encoding.UTF8.GetBytes(text))),
        "SHA-256" or "SHA-256-SESS" => text => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text))),
        _ => null,
    };

    /// <summary>The scheme and the comma-separated name=value fields of an auth header; null when malformed.</summary>
    internal static Dictionary<string, string>? ReadFields(string header, out string scheme)
    {
        var scanner = new SipScanner(header);
        scheme = string.Empty;
        try
        {
            scanner.SkipSpace();
            scheme = scanner.ReadToken();
            var fields = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
            do
            {
                scanner.SkipSpace();
                if (scanner.AtEnd)
                {
                    break;
                }
                var name = scanner.ReadToken();
                scanner.Expect('=');
                var value = scanner.Peek == '"' ? scanner.ReadQuotedString() : new string(scanner.ReadWhile(static c => c is not (',' or ' ' or '\t')));
                if (fields.Count == 32)
                {
                    return null;
                }
                fields[name] = value;
            }
            while (scanner.TrySeparator(','));
            scanner.SkipSpace();
            return scanner.AtEnd ? fields : null;
        }
        catch (SipFormatException)
        {
            return null;
        }
    }

    private static string Quote(string value)
    {
        var text = new StringBuilder();
        SipParameters.AppendQuoted(text, value);
        return text.ToString();
    }
}
