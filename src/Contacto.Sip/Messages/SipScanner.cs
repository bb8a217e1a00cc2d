using System.Runtime.CompilerServices;

namespace Contacto.Sip.Messages;

/// <summary>
/// Reads the pieces of RFC 3261's grammar (25.1) from one unfolded header value: tokens, words,
/// quoted strings, separators with their optional white space. Folding is already a single space
/// here, so LWS and SWS are runs of SP and HTAB.
/// </summary>
internal ref struct SipScanner(ReadOnlySpan<char> text)
{
    private readonly ReadOnlySpan<char> _text = text;

    public int Position { get; set; }

    public readonly bool AtEnd => Position >= _text.Length;

    public readonly char Peek => Position < _text.Length ? _text[Position] : '\0';

    public readonly ReadOnlySpan<char> Rest => _text[Position..];

    public readonly ReadOnlySpan<char> Slice(int start, int end) => _text[start..end];

    public void SkipSpace()
    {
        while (Position < _text.Length && IsSpace(_text[Position]))
        {
            Position++;
        }
    }

    /// <summary>True and past it if the next non-space character is <paramref name="separator"/> (with the space around it).</summary>
    public bool TrySeparator(char separator)
    {
        var start = Position;
        SkipSpace();
        if (Peek == separator)
        {
            Position++;
            SkipSpace();
            return true;
        }
        Position = start;
        return false;
    }

    public void Expect(char separator)
    {
        if (!TrySeparator(separator))
        {
            throw Error($"'{separator}' expected");
        }
    }

    public string ReadToken()
    {
        var start = Position;
        while (Position < _text.Length && IsTokenChar(_text[Position]))
        {
            Position++;
        }
        if (Position == start)
        {
            throw Error("token expected");
        }
        return new string(_text[start..Position]);
    }

    /// <summary>A run of characters accepted by <paramref name="accept"/>; empty if none.</summary>
    public ReadOnlySpan<char> ReadWhile(Func<char, bool> accept)
    {
        var start = Position;
        while (Position < _text.Length && accept(_text[Position]))
        {
            Position++;
        }
        return _text[start..Position];
    }

    /// <summary>A quoted-string, without its quotes and with quoted-pairs resolved.</summary>
    public string ReadQuotedString()
    {
        if (Peek != '"')
        {
            throw Error("quoted string expected");
        }
        Position++;
        var value = new System.Text.StringBuilder();
        while (true)
        {
            if (AtEnd)
            {
                throw Error("unterminated quoted string");
            }
            var c = _text[Position++];
            if (c == '"')
            {
                return value.ToString();
            }
            if (c == '\\')
            {
                if (AtEnd || _text[Position] is '\r' or '\n')
                {
                    throw Error("bad escape in quoted string");
                }
                value.Append(_text[Position++]);
                continue;
            }
            // qdtext: LWS, %x21, %x23-5B, %x5D-7E or UTF8-NONASCII; no other controls.
            if (c < 0x20 && c != '\t' || c == 0x7F)
            {
                throw Error("control character in quoted string");
            }
            value.Append(c);
        }
    }

    public readonly SipFormatException Error(string problem) => new($"{problem} at {Position}");

    public static bool IsSpace(char c) => c is ' ' or '\t';

    /// <summary>token characters: alphanum and -.!%*_+`'~ (RFC 3261 25.1).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool IsTokenChar(char c) =>
        c < 128 && (char.IsAsciiLetterOrDigit(c) || c is '-' or '.' or '!' or '%' or '*' or '_' or '+' or '`' or '\'' or '~');

    /// <summary>word characters: token plus ()&lt;&gt;:\"/[]?{} (used by Call-ID).</summary>
    public static bool IsWordChar(char c) =>
        IsTokenChar(c) || c is '(' or ')' or '<' or '>' or ':' or '\\' or '"' or '/' or '[' or ']' or '?' or '{' or '}';

    public static bool IsToken(ReadOnlySpan<char> text)
    {
        if (text.IsEmpty)
        {
            return false;
        }
        foreach (var c in text)
        {
            if (!IsTokenChar(c))
            {
                return false;
            }
        }
        return true;
    }

    /// <summary>Splits a header value at commas outside quoted strings and angle brackets.</summary>
    public static List<string> SplitList(string value, int maxValues)
    {
        var parts = new List<string>();
        var start = 0;
        var quoted = false;
        var angle = false;
        for (var i = 0; i < value.Length; i++)
        {
            var c = value[i];
            if (quoted)
            {
                if (c == '\\')
                {
                    i++;
                }
                else if (c == '"')
                {
                    quoted = false;
                }
            }
            else if (c == '"')
            {
                quoted = true;
            }
            else if (c == '<')
            {
                angle = true;
            }
            else if (c == '>')
            {
                angle = false;
            }
            else if (c == ',' && !angle)
            {
                Add(value[start..i]);
                start = i + 1;
            }
        }
        Add(value[start..]);
        return parts;

        void Add(string part)
        {
            if (parts.Count == maxValues)
            {
                throw new SipFormatException($"more than {maxValues} values in one header");
            }
            parts.Add(part.Trim(' ', '\t'));
        }
    }
}
