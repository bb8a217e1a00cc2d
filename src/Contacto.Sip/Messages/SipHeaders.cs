namespace Contacto.Sip.Messages;

/// <summary>One header line: its name (long form) and its value, unfolded and trimmed.</summary>
public sealed record SipHeader(string Name, string Value);

/// <summary>
/// The header lines of a message in their order. Names compare without case and compact forms
/// are stored under their long names, so "v" and "Via" are one header. A line may hold several
/// comma-separated values; <see cref="GetValues"/> splits them.
/// </summary>
public sealed class SipHeaders : IEnumerable<SipHeader>
{
    private readonly List<SipHeader> _lines = [];

    public int Count => _lines.Count;

    public bool Contains(string name) => IndexOf(name) >= 0;

    /// <summary>The value of the first line of that name, or null.</summary>
    public string? Get(string name)
    {
        var index = IndexOf(name);
        return index < 0 ? null : _lines[index].Value;
    }

    /// <summary>Every line of that name, in order.</summary>
    public IEnumerable<string> GetAll(string name)
    {
        var canonical = HeaderNames.Canonical(name);
        foreach (var line in _lines)
        {
            if (Is(line, canonical))
            {
                yield return line.Value;
            }
        }
    }

    /// <summary>Every comma-separated value of every line of that name, in order.</summary>
    public List<string> GetValues(string name, int maxValues = 256)
    {
        var values = new List<string>();
        foreach (var line in GetAll(name))
        {
            foreach (var value in SipScanner.SplitList(line, maxValues))
            {
                values.Add(value);
            }
        }
        return values;
    }

    public int CountOf(string name) => GetAll(name).Count();

    public SipHeaders Add(string name, string value)
    {
        _lines.Add(new SipHeader(HeaderNames.Canonical(name), value));
        return this;
    }

    /// <summary>Adds a line before every other (a Via a request gains on its way).</summary>
    public SipHeaders AddFirst(string name, string value)
    {
        _lines.Insert(0, new SipHeader(HeaderNames.Canonical(name), value));
        return this;
    }

    /// <summary>One line of that name with this value, where the first one was (or at the end).</summary>
    public SipHeaders Set(string name, string value)
    {
        var canonical = HeaderNames.Canonical(name);
        var index = IndexOf(canonical);
        _lines.RemoveAll(l => Is(l, canonical));
        _lines.Insert(index < 0 ? _lines.Count : index, new SipHeader(canonical, value));
        return this;
    }

    /// <summary>Replaces the first line of that name (which must exist) with a value.</summary>
    public void ReplaceFirst(string name, string value)
    {
        var index = IndexOf(name);
        _lines[index] = _lines[index] with { Value = value };
    }

    public int Remove(string name)
    {
        var canonical = HeaderNames.Canonical(name);
        return _lines.RemoveAll(l => Is(l, canonical));
    }

    /// <summary>Removes the first value of that name: the first comma-separated value of its first line.</summary>
    public void RemoveFirstValue(string name)
    {
        var index = IndexOf(name);
        if (index < 0)
        {
            return;
        }
        var values = SipScanner.SplitList(_lines[index].Value, int.MaxValue);
        if (values.Count <= 1)
        {
            _lines.RemoveAt(index);
        }
        else
        {
            _lines[index] = _lines[index] with { Value = string.Join(", ", values.Skip(1)) };
        }
    }

    public SipHeaders Clone()
    {
        var copy = new SipHeaders();
        copy._lines.AddRange(_lines);
        return copy;
    }

    public IEnumerator<SipHeader> GetEnumerator() => _lines.GetEnumerator();

    System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => GetEnumerator();

    private int IndexOf(string name)
    {
        var canonical = HeaderNames.Canonical(name);
        return _lines.FindIndex(l => Is(l, canonical));
    }

    private static bool Is(SipHeader line, string canonical) => string.Equals(line.Name, canonical, StringComparison.OrdinalIgnoreCase);
}
