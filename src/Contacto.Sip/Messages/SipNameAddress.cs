using System.Text;

namespace Contacto.Sip.Messages;

/// <summary>
/// name-addr or addr-spec with header parameters: the value of From, To, Contact, Route,
/// Record-Route, Refer-To (RFC 3261 20.10). In the addr-spec form (no angle brackets) every
/// parameter belongs to the header, and the URI may hold no comma, semicolon or question mark.
/// Written back always in the bracketed form.
/// </summary>
public sealed class SipNameAddress
{
    public SipNameAddress(SipUri uri, string? displayName = null, SipParameters? parameters = null)
    {
        Uri = uri;
        DisplayName = displayName;
        Parameters = parameters ?? new SipParameters();
    }

    /// <summary>The display name without quotes or escapes; null when there is none.</summary>
    public string? DisplayName { get; }

    public SipUri Uri { get; }

    public SipParameters Parameters { get; }

    public string? Tag => Parameters["tag"];

    public static SipNameAddress Parse(string text, int maxParameters = 32)
    {
        var scanner = new SipScanner(text);
        return Read(ref scanner, maxParameters);
    }

    /// <summary>A copy with the tag set (the To of a response, the From of a request).</summary>
    public SipNameAddress WithTag(string tag)
    {
        var copy = new SipNameAddress(Uri, DisplayName, Parameters.Clone());
        copy.Parameters.Set("tag", tag);
        return copy;
    }

    public override string ToString()
    {
        var text = new StringBuilder();
        if (DisplayName is not null)
        {
            SipParameters.AppendQuoted(text, DisplayName);
            text.Append(' ');
        }
        text.Append('<').Append(Uri).Append('>');
        Parameters.AppendTo(text);
        return text.ToString();
    }

    /// <summary>Reads one value to the end of the scanner's text.</summary>
    internal static SipNameAddress Read(ref SipScanner scanner, int maxParameters)
    {
        scanner.SkipSpace();
        string? display = null;
        if (scanner.Peek == '"')
        {
            display = scanner.ReadQuotedString();
            scanner.SkipSpace();
            if (scanner.Peek != '<')
            {
                throw scanner.Error("'<' expected after the display name");
            }
        }
        else if (scanner.Peek != '<')
        {
            display = TryReadTokenDisplayName(ref scanner);
        }

        SipUri uri;
        if (scanner.Peek == '<')
        {
            scanner.Position++;
            var inner = scanner.Rest;
            var close = inner.IndexOf('>');
            if (close <= 0 || SipScanner.IsSpace(inner[0]) || SipScanner.IsSpace(inner[close - 1]))
            {
                throw scanner.Error("bad name-addr");
            }
            uri = SipUri.Read(ref scanner, scanner.Position + close, maxParameters);
            scanner.Position++;
        }
        else
        {
            // addr-spec: the URI ends at the first parameter or white space.
            var rest = scanner.Rest;
            var end = rest.IndexOfAny(";, \t");
            if (end < 0)
            {
                end = rest.Length;
            }
            if (rest[..end].ContainsAny('?', '<', '>'))
            {
                throw scanner.Error("a URI with headers must be enclosed in '<>'");
            }
            uri = SipUri.Read(ref scanner, scanner.Position + end, maxParameters);
        }
        var parameters = SipParameters.ReadHeaderParameters(ref scanner, maxParameters);
        scanner.SkipSpace();
        if (!scanner.AtEnd)
        {
            throw scanner.Error("unexpected text after the address");
        }
        return new SipNameAddress(uri, display, parameters);
    }

    /// <summary>*(token LWS) before '&lt;'; if no '&lt;' follows, nothing is read and null returned.</summary>
    private static string? TryReadTokenDisplayName(ref SipScanner scanner)
    {
        var start = scanner.Position;
        var words = new List<string>();
        while (SipScanner.IsTokenChar(scanner.Peek))
        {
            words.Add(scanner.ReadToken());
            scanner.SkipSpace();
        }
        if (scanner.Peek == '<' && words.Count > 0)
        {
            return string.Join(' ', words);
        }
        scanner.Position = start;
        return null;
    }
}
