using System.Text;

namespace Contacto.Sip.Messages;

/// <summary>One parameter: a name, and a value unless it is a flag (";lr", ";rport").</summary>
public sealed record SipParameter(string Name, string? Value, bool Quoted = false);

/// <summary>
/// Parameters in their order, names compared without case (RFC 3261 7.3.1). Values are kept as
/// read: URI parameters still escaped, quoted values without their quotes.
/// </summary>
public sealed class SipParameters : IEnumerable<SipParameter>
{
    private readonly List<SipParameter> _items = [];

    public int Count => _items.Count;

    public bool Contains(string name) => IndexOf(name) >= 0;

    /// <summary>The value of the first parameter with this name; null if absent or a flag.</summary>
    public string? this[string name]
    {
        get
        {
            var index = IndexOf(name);
            return index < 0 ? null : _items[index].Value;
        }
    }

    /// <summary>Sets (replacing the first of that name, in place) or adds a parameter; a null value is a flag.</summary>
    public SipParameters Set(string name, string? value, bool quoted = false)
    {
        var parameter = new SipParameter(name, value, quoted);
        var index = IndexOf(name);
        if (index < 0)
        {
            _items.Add(parameter);
        }
        else
        {
            _items[index] = parameter;
        }
        return this;
    }

    public bool Remove(string name)
    {
        var index = IndexOf(name);
        if (index >= 0)
        {
            _items.RemoveAt(index);
        }
        return index >= 0;
    }

    public SipParameters Clone()
    {
        var copy = new SipParameters();
        copy._items.AddRange(_items);
        return copy;
    }

    public IEnumerator<SipParameter> GetEnumerator() => _items.GetEnumerator();

    System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => GetEnumerator();

    internal void Add(SipParameter parameter, int max)
    {
        if (_items.Count == max)
        {
            throw new SipFormatException($"more than {max} parameters");
        }
        _items.Add(parameter);
    }

    /// <summary>Appends ";name=value" for each, quoting where the value was quoted or needs it.</summary>
    internal void AppendTo(StringBuilder text)
    {
        foreach (var p in _items)
        {
            text.Append(';').Append(p.Name);
            if (p.Value is null)
            {
                continue;
            }
            text.Append('=');
            if (p.Quoted)
            {
                AppendQuoted(text, p.Value);
            }
            else
            {
                text.Append(p.Value);
            }
        }
    }

    internal static void AppendQuoted(StringBuilder text, string value)
    {
        text.Append('"');
        foreach (var c in value)
        {
            if (c is '"' or '\\')
            {
                text.Append('\\');
            }
            text.Append(c);
        }
        text.Append('"');
    }

    /// <summary>generic-params after a header value: *( SEMI token [ EQUAL ( token / host / quoted-string ) ] ).</summary>
    internal static SipParameters ReadHeaderParameters(ref SipScanner scanner, int max)
    {
        var parameters = new SipParameters();
        while (scanner.TrySeparator(';'))
        {
            var name = scanner.ReadToken();
            if (!scanner.TrySeparator('='))
            {
                parameters.Add(new SipParameter(name, null), max);
                continue;
            }
            if (scanner.Peek == '"')
            {
                parameters.Add(new SipParameter(name, scanner.ReadQuotedString(), Quoted: true), max);
                continue;
            }
            var value = scanner.ReadWhile(static c => SipScanner.IsTokenChar(c) || c is ':' or '[' or ']');
            if (value.IsEmpty)
            {
                throw scanner.Error($"value of parameter '{name}' expected");
            }
            parameters.Add(new SipParameter(name, new string(value)), max);
        }
        return parameters;
    }

    private int IndexOf(string name) => _items.FindIndex(p => string.Equals(p.Name, name, StringComparison.OrdinalIgnoreCase));
}
