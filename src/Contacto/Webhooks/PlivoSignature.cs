using System.Security.Cryptography;
using System.Text;

namespace Contacto.Webhooks;

/// <summary>
/// Plivo's webhook signatures as the official SDKs check them. V3 signs the URL (its own query
/// sorted and decoded), then for POST the form fields concatenated as key+value in key order, then
/// "." and the nonce, with HMAC-SHA256 keyed by the auth token. For GET every parameter belongs in
/// the URL's query. V2 signs the URL without its query, directly followed by the nonce.
/// </summary>
internal static class PlivoSignature
{
    public const string V3Header = "X-Plivo-Signature-V3";
    public const string V3MainAccountHeader = "X-Plivo-Signature-Ma-V3";
    public const string V3NonceHeader = "X-Plivo-Signature-V3-Nonce";
    public const string V2Header = "X-Plivo-Signature-V2";
    public const string V2MainAccountHeader = "X-Plivo-Signature-Ma-V2";
    public const string V2NonceHeader = "X-Plivo-Signature-V2-Nonce";

    /// <summary>A 20-digit random nonce, as Plivo sends.</summary>
    public static string NewNonce() => RandomNumberGenerator.GetString("0123456789", 20);

    public static string V3(string method, Uri url, IEnumerable<KeyValuePair<string, string>> postFields, string nonce, string authToken)
    {
        var text = new StringBuilder(BaseUrl(url));
        var query = SortedQuery(url);
        var fields = postFields.ToList();
        if (string.Equals(method, "GET", StringComparison.OrdinalIgnoreCase))
        {
            if (fields.Count > 0)
                throw new ArgumentException("A GET callback carries its parameters in the URL's query", nameof(postFields));
            if (query.Length > 0)
                text.Append('?').Append(query);
        }
        else if (string.Equals(method, "POST", StringComparison.OrdinalIgnoreCase))
        {
            if (fields.Count > 0)
            {
                text.Append('?').Append(query);
                if (query.Length > 0)
                    text.Append('.');
                foreach (var (key, value) in fields.OrderBy(f => f.Key, StringComparer.Ordinal).ThenBy(f => f.Value, StringComparer.Ordinal))
                    text.Append(key).Append(value);
            }
            else if (query.Length > 0)
            {
                text.Append('?').Append(query);
            }
        }
        else
        {
            throw new ArgumentException("Callbacks are GET or POST", nameof(method));
        }
        text.Append('.').Append(nonce);
        return Sign(text.ToString(), authToken);
    }

    public static string V2(Uri url, string nonce, string authToken) => Sign(BaseUrl(url) + nonce, authToken);

    static string Sign(string text, string authToken) =>
        Convert.ToBase64String(HMACSHA256.HashData(Encoding.UTF8.GetBytes(authToken), Encoding.UTF8.GetBytes(text)));

    /// <summary>Scheme, host as written, the port only if written, and the path; no userinfo, query or fragment.</summary>
    static string BaseUrl(Uri url)
    {
        var original = url.OriginalString;
        var hostStart = original.IndexOf("://", StringComparison.Ordinal) + 3;
        var authorityEnd = original.IndexOfAny(['/', '?', '#'], hostStart);
        var authority = authorityEnd < 0 ? original[hostStart..] : original[hostStart..authorityEnd];
        authority = authority[(authority.LastIndexOf('@') + 1)..];
        var path = authorityEnd < 0 || original[authorityEnd] != '/' ? "" : url.AbsolutePath;
        return $"{url.Scheme}://{authority}{path}";
    }

    /// <summary>The URL's own query decoded ('+' as space, %xx), keys sorted, each key's values sorted, joined k=v with '&amp;'.</summary>
    static string SortedQuery(Uri url)
    {
        var query = url.Query.TrimStart('?');
        if (query.Length == 0)
            return "";
        var pairs = query.Split('&', StringSplitOptions.RemoveEmptyEntries).Select(part =>
        {
            var equals = part.IndexOf('=');
            return equals < 0 ? (Decode(part), "") : (Decode(part[..equals]), Decode(part[(equals + 1)..]));
        });
        return string.Join('&', pairs.OrderBy(p => p.Item1, StringComparer.Ordinal).ThenBy(p => p.Item2, StringComparer.Ordinal)
            .Select(p => $"{p.Item1}={p.Item2}"));
    }

    static string Decode(string value) => Uri.UnescapeDataString(value.Replace('+', ' '));
}
