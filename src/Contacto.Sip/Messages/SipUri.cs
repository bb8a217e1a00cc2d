using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Contacto.Sip.Messages;

/// <summary>
/// A URI as SIP uses it: sip and sips (RFC 3261 19.1) with user, password, host (a name, IPv4, or
/// an IPv6 reference in brackets, RFC 5118), port, parameters and headers; tel (RFC 3966) with
/// its number and parameters; any other scheme kept whole. Parts are kept escaped, as written;
/// <see cref="Equivalent"/> compares them by RFC 3261 19.1.4.
/// </summary>
public sealed class SipUri
{
    private SipUri(string scheme)
    {
        Scheme = scheme;
    }

    /// <summary>Lower case: "sip", "sips", "tel", or the scheme as read, lowered.</summary>
    public string Scheme { get; }

    public string? User { get; private set; }

    public string? Password { get; private set; }

    /// <summary>The host as written; an IPv6 address keeps its brackets. Empty for tel and other schemes.</summary>
    public string Host { get; private set; } = string.Empty;

    public int? Port { get; private set; }

    public SipParameters Parameters { get; private set; } = new();

    /// <summary>URI headers ("?name=value&amp;..."), escaped.</summary>
    public IReadOnlyList<KeyValuePair<string, string>> Headers { get; private set; } = [];

    /// <summary>The number of a tel URI, or the text after the colon of another scheme.</summary>
    public string? Opaque { get; private set; }

    public bool IsSip => Scheme is "sip" or "sips";

    public bool IsSecure => Scheme == "sips";

    public string? Transport => Parameters["transport"];

    /// <summary>The "lr" parameter: a proxy that routes loosely (RFC 3261 16.12).</summary>
    public bool IsLooseRouter => Parameters.Contains("lr");

    public static SipUri Sip(string? user, string host, int? port = null, bool secure = false)
    {
        var text = new StringBuilder(secure ? "sips:" : "sip:");
        if (user is not null)
        {
            text.Append(user).Append('@');
        }
        text.Append(host);
        if (port is not null)
        {
            text.Append(':').Append(port.Value.ToString(CultureInfo.InvariantCulture));
        }
        return Parse(text.ToString());
    }

    public static SipUri Parse(string text, int maxParameters = 32)
    {
        var scanner = new SipScanner(text);
        var uri = Read(ref scanner, text.Length, maxParameters);
        return uri;
    }

    public static bool TryParse(string text, out SipUri? uri)
    {
        try
        {
            uri = Parse(text);
            return true;
        }
        catch (SipFormatException)
        {
            uri = null;
            return false;
        }
    }

    /// <summary>A copy with a parameter set (null value: a flag).</summary>
    public SipUri WithParameter(string name, string? value)
    {
        var copy = Clone();
        copy.Parameters.Set(name, value);
        return copy;
    }

    /// <summary>A copy without headers, as a Request-URI must be (RFC 3261 19.1.5).</summary>
    public SipUri WithoutHeaders()
    {
        var copy = Clone();
        copy.Headers = [];
        return copy;
    }

    public SipUri Clone()
    {
        var copy = (SipUri)MemberwiseClone();
        copy.Parameters = Parameters.Clone();
        return copy;
    }

    public override string ToString()
    {
        var text = new StringBuilder(Scheme).Append(':');
        if (!IsSip)
        {
            text.Append(Opaque);
            if (Scheme == "tel")
            {
                Parameters.AppendTo(text);
            }
            return text.ToString();
        }
        if (User is not null)
        {
            text.Append(User);
            if (Password is not null)
            {
                text.Append(':').Append(Password);
            }
            text.Append('@');
        }
        text.Append(Host);
        if (Port is not null)
        {
            text.Append(':').Append(Port.Value.ToString(CultureInfo.InvariantCulture));
        }
        Parameters.AppendTo(text);
        for (var i = 0; i < Headers.Count; i++)
        {
            text.Append(i == 0 ? '?' : '&').Append(Headers[i].Key).Append('=').Append(Headers[i].Value);
        }
        return text.ToString();
    }

    /// <summary>
    /// URI equality of RFC 3261 19.1.4: same scheme; userinfo compared with case, after
    /// unescaping; host, port and the rest without case; user, ttl, method, maddr and transport
    /// parameters must match when either has them, other parameters only when both do; headers
    /// must all match. A missing port does not equal an explicit 5060.
    /// </summary>
    public bool Equivalent(SipUri other)
    {
        if (Scheme != other.Scheme)
        {
            return false;
        }
        if (!IsSip)
        {
            return Scheme == "tel"
                ? string.Equals(TelDigits(Opaque), TelDigits(other.Opaque), StringComparison.OrdinalIgnoreCase)
                  && SameParameters(Parameters, other.Parameters, all: true)
                : string.Equals(Opaque, other.Opaque, StringComparison.OrdinalIgnoreCase);
        }
        return Unescape(User) == Unescape(other.User)
            && Unescape(Password) == Unescape(other.Password)
            && string.Equals(Unescape(Host), Unescape(other.Host), StringComparison.OrdinalIgnoreCase)
            && Port == other.Port
            && SameParameters(Parameters, other.Parameters, all: false)
            && SameHeaders(other);
    }

    /// <summary>Percent-decoding as UTF-8; null stays null.</summary>
    public static string? Unescape(string? text)
    {
        if (text is null || !text.Contains('%'))
        {
            return text;
        }
        var bytes = new List<byte>(text.Length);
        for (var i = 0; i < text.Length; i++)
        {
            if (text[i] == '%' && i + 2 < text.Length && char.IsAsciiHexDigit(text[i + 1]) && char.IsAsciiHexDigit(text[i + 2]))
            {
                bytes.Add(byte.Parse(text.AsSpan(i + 1, 2), NumberStyles.HexNumber, CultureInfo.InvariantCulture));
                i += 2;
            }
            else
            {
                bytes.AddRange(Encoding.UTF8.GetBytes(text[i].ToString()));
            }
        }
        return Encoding.UTF8.GetString([.. bytes]);
    }

    internal static SipUri Read(ref SipScanner scanner, int end, int maxParameters)
    {
        var start = scanner.Position;
        var text = scanner.Slice(start, end);
        var colon = text.IndexOf(':');
        if (colon <= 0 || !char.IsAsciiLetter(text[0]))
        {
            throw scanner.Error("URI scheme expected");
        }
        foreach (var c in text[..colon])
        {
            if (!char.IsAsciiLetterOrDigit(c) && c is not '+' and not '-' and not '.')
            {
                throw scanner.Error("bad URI scheme");
            }
        }
        var uri = new SipUri(new string(text[..colon]).ToLowerInvariant());
        var rest = text[(colon + 1)..];
        if (rest.IsEmpty)
        {
            throw scanner.Error("empty URI");
        }
        foreach (var c in rest)
        {
            if (c <= ' ' || c >= 0x7F || c is '<' or '>' or '"')
            {
                throw scanner.Error("character not allowed in a URI");
            }
        }
        switch (uri.Scheme)
        {
            case "sip" or "sips":
                uri.ReadSip(rest, maxParameters);
                break;
            case "tel":
                uri.ReadTel(rest, maxParameters);
                break;
            default:
                uri.Opaque = new string(rest);
                break;
        }
        scanner.Position = end;
        return uri;
    }

    /// <summary>host [":" port]: a host name, an IPv4 address or an IPv6 reference (RFC 5118).</summary>
    internal static (string Host, int? Port) ReadHostPort(ReadOnlySpan<char> text)
    {
        string host;
        ReadOnlySpan<char> after;
        if (text.StartsWith("["))
        {
            var close = text.IndexOf(']');
            if (close < 0 || !IsIPv6(text[1..close]))
            {
                throw new SipFormatException("bad IPv6 reference");
            }
            host = new string(text[..(close + 1)]);
            after = text[(close + 1)..];
        }
        else
        {
            var colon = text.IndexOf(':');
            var name = colon < 0 ? text : text[..colon];
            if (!IsHostName(name))
            {
                throw new SipFormatException("bad host");
            }
            host = new string(name);
            after = colon < 0 ? [] : text[colon..];
        }
        if (after.IsEmpty)
        {
            return (host, null);
        }
        if (after[0] != ':' || !TryReadPort(after[1..], out var port))
        {
            throw new SipFormatException("bad port");
        }
        return (host, port);
    }

    internal static bool TryReadPort(ReadOnlySpan<char> text, out int port)
    {
        port = 0;
        if (text.IsEmpty || text.Length > 5)
        {
            return false;
        }
        foreach (var c in text)
        {
            if (!char.IsAsciiDigit(c))
            {
                return false;
            }
            port = port * 10 + (c - '0');
        }
        return port <= 65535;
    }

    /// <summary>
    /// An IPv6 address. Also takes the three colons before an embedded IPv4 address that
    /// RFC 3261's ABNF wrongly allowed (RFC 5118 4.10 asks parsers to be robust to it).
    /// </summary>
    internal static bool IsIPv6(ReadOnlySpan<char> text)
    {
        if (text.IsEmpty || text.Length > 45 || text.ContainsAny('%', '/'))
        {
            return false;
        }
        if (IPAddress.TryParse(text, out var address) && address.AddressFamily == AddressFamily.InterNetworkV6)
        {
            return true;
        }
        var triple = text.IndexOf(":::");
        return triple >= 0 && text[(triple + 3)..].Contains('.')
            && IPAddress.TryParse(string.Concat(text[..triple], "::", text[(triple + 3)..]), out address)
            && address.AddressFamily == AddressFamily.InterNetworkV6;
    }

    internal static bool IsIPv4(ReadOnlySpan<char> text)
    {
        var parts = 0;
        foreach (var range in text.Split('.'))
        {
            var part = text[range];
            if (part.IsEmpty || part.Length > 3 || !int.TryParse(part, NumberStyles.None, CultureInfo.InvariantCulture, out var value) || value > 255)
            {
                return false;
            }
            parts++;
        }
        return parts == 4;
    }

    /// <summary>hostname (labels of alphanumerics and hyphens, RFC 3261 25.1) or IPv4address.</summary>
    internal static bool IsHostName(ReadOnlySpan<char> text)
    {
        if (text.IsEmpty || text.Length > 255)
        {
            return false;
        }
        var trimmed = text[^1] == '.' ? text[..^1] : text;
        if (trimmed.IsEmpty)
        {
            return false;
        }
        var lastLabelStart = trimmed.LastIndexOf('.') + 1;
        if (char.IsAsciiDigit(trimmed[lastLabelStart]))
        {
            return IsIPv4(text);
        }
        foreach (var range in trimmed.Split('.'))
        {
            var label = trimmed[range];
            if (label.IsEmpty || label[0] == '-' || label[^1] == '-')
            {
                return false;
            }
            foreach (var c in label)
            {
                if (!char.IsAsciiLetterOrDigit(c) && c != '-')
                {
                    return false;
                }
            }
        }
        return true;
    }

    private void ReadSip(ReadOnlySpan<char> text, int maxParameters)
    {
        var at = text.IndexOf('@');
        if (at >= 0)
        {
            var userInfo = text[..at];
            var colon = userInfo.IndexOf(':');
            var user = colon < 0 ? userInfo : userInfo[..colon];
            if (user.IsEmpty || !AllOf(user, IsUserChar))
            {
                throw new SipFormatException("bad user in URI");
            }
            User = new string(user);
            if (colon >= 0)
            {
                var password = userInfo[(colon + 1)..];
                if (!AllOf(password, IsPasswordChar))
                {
                    throw new SipFormatException("bad password in URI");
                }
                Password = new string(password);
            }
            text = text[(at + 1)..];
        }
        var question = text.IndexOf('?');
        var headers = question < 0 ? [] : text[(question + 1)..];
        if (question >= 0)
        {
            text = text[..question];
        }
        var semicolon = text.IndexOf(';');
        (Host, Port) = ReadHostPort(semicolon < 0 ? text : text[..semicolon]);
        if (semicolon >= 0)
        {
            ReadUriParameters(text[(semicolon + 1)..], maxParameters);
        }
        if (question >= 0)
        {
            ReadHeaders(headers, maxParameters);
        }
    }

    private void ReadTel(ReadOnlySpan<char> text, int maxParameters)
    {
        var semicolon = text.IndexOf(';');
        var number = semicolon < 0 ? text : text[..semicolon];
        if (number.IsEmpty || !AllOf(number, static c => char.IsAsciiHexDigit(c) || c is '+' or '*' or '#' or '-' or '.' or '(' or ')'))
        {
            throw new SipFormatException("bad telephone number");
        }
        Opaque = new string(number);
        if (semicolon >= 0)
        {
            ReadUriParameters(text[(semicolon + 1)..], maxParameters);
        }
    }

    private void ReadUriParameters(ReadOnlySpan<char> text, int maxParameters)
    {
        foreach (var range in text.Split(';'))
        {
            var parameter = text[range];
            var equals = parameter.IndexOf('=');
            var name = equals < 0 ? parameter : parameter[..equals];
            if (name.IsEmpty || !AllOf(name, IsParamChar))
            {
                throw new SipFormatException("bad URI parameter");
            }
            string? value = null;
            if (equals >= 0)
            {
                var raw = parameter[(equals + 1)..];
                if (raw.IsEmpty || !AllOf(raw, IsParamChar))
                {
                    throw new SipFormatException("bad URI parameter value");
                }
                value = new string(raw);
            }
            Parameters.Add(new SipParameter(new string(name), value), maxParameters);
        }
    }

    private void ReadHeaders(ReadOnlySpan<char> text, int maxParameters)
    {
        var headers = new List<KeyValuePair<string, string>>();
        foreach (var range in text.Split('&'))
        {
            var header = text[range];
            var equals = header.IndexOf('=');
            if (equals <= 0 || !AllOf(header[..equals], IsHeaderChar) || !AllOf(header[(equals + 1)..], IsHeaderChar))
            {
                throw new SipFormatException("bad URI header");
            }
            if (headers.Count == maxParameters)
            {
                throw new SipFormatException("too many URI headers");
            }
            headers.Add(new(new string(header[..equals]), new string(header[(equals + 1)..])));
        }
        Headers = headers;
    }

    private bool SameHeaders(SipUri other)
    {
        if (Headers.Count != other.Headers.Count)
        {
            return false;
        }
        foreach (var (name, value) in Headers)
        {
            if (!other.Headers.Any(h => string.Equals(Unescape(h.Key), Unescape(name), StringComparison.OrdinalIgnoreCase)
                && Unescape(h.Value) == Unescape(value)))
            {
                return false;
            }
        }
        return true;
    }

    private static readonly string[] AlwaysCompared = ["user", "ttl", "method", "maddr", "transport"];

    private static bool SameParameters(SipParameters a, SipParameters b, bool all)
    {
        foreach (var p in a)
        {
            var name = Unescape(p.Name)!;
            var theirs = Find(b, name);
            if (theirs is null)
            {
                if (all || AlwaysCompared.Contains(name, StringComparer.OrdinalIgnoreCase))
                {
                    return false;
                }
                continue;
            }
            if (!string.Equals(Unescape(p.Value), Unescape(theirs.Value), StringComparison.OrdinalIgnoreCase))
            {
                return false;
            }
        }
        foreach (var p in b)
        {
            var name = Unescape(p.Name)!;
            if (Find(a, name) is null && (all || AlwaysCompared.Contains(name, StringComparer.OrdinalIgnoreCase)))
            {
                return false;
            }
        }
        return true;

        static SipParameter? Find(SipParameters parameters, string name) =>
            parameters.FirstOrDefault(p => string.Equals(Unescape(p.Name), name, StringComparison.OrdinalIgnoreCase));
    }

    private static string? TelDigits(string? number) =>
        number is null ? null : new string(number.Where(c => c is not '-' and not '.' and not '(' and not ')').ToArray());

    private static bool AllOf(ReadOnlySpan<char> text, Func<char, bool> allowed)
    {
        for (var i = 0; i < text.Length; i++)
        {
            if (text[i] == '%')
            {
                if (i + 2 >= text.Length || !char.IsAsciiHexDigit(text[i + 1]) || !char.IsAsciiHexDigit(text[i + 2]))
                {
                    return false;
                }
                i += 2;
            }
            else if (!allowed(text[i]))
            {
                return false;
            }
        }
        return true;
    }

    private static bool IsUnreserved(char c) =>
        char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.' or '!' or '~' or '*' or '\'' or '(' or ')';

    private static bool IsUserChar(char c) => IsUnreserved(c) || c is '&' or '=' or '+' or '$' or ',' or ';' or '?' or '/';

    private static bool IsPasswordChar(char c) => IsUnreserved(c) || c is '&' or '=' or '+' or '$' or ',';

    private static bool IsParamChar(char c) => IsUnreserved(c) || c is '[' or ']' or '/' or ':' or '&' or '+' or '$';

    private static bool IsHeaderChar(char c) => IsUnreserved(c) || c is '[' or ']' or '/' or '?' or ':' or '+' or '$';
}
