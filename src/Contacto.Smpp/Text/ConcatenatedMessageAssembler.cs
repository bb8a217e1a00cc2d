namespace Contacto.Smpp.Text;

/// <summary>
/// Joins the parts of long inbound messages, in whatever order they come. Parts are grouped
/// by sender, reference and total; groups left incomplete for longer than the maximum age, or
/// the oldest ones beyond the capacity, are dropped, so memory stays bounded.
/// </summary>
public sealed class ConcatenatedMessageAssembler(TimeProvider time, TimeSpan maxAge, int capacity = 10_000)
{
    private readonly Dictionary<(string Sender, ushort Reference, int Total), Group> _groups = [];
    private readonly Lock _lock = new();

    public int PendingCount
    {
        get
        {
            lock (_lock)
            {
                return _groups.Count;
            }
        }
    }

    /// <summary>
    /// Adds one part; returns the whole text once every part is in, else null. A part with an
    /// impossible sequence is returned as it is, as a message of its own.
    /// </summary>
    public string? Add(string sender, ConcatenationInfo part, string text)
    {
        if (part.Total < 1 || part.Sequence < 1 || part.Sequence > part.Total)
        {
            return text;
        }
        lock (_lock)
        {
            var now = time.GetTimestamp();
            DropStale(now);
            var key = (sender, part.Reference, part.Total);
            if (!_groups.TryGetValue(key, out var group))
            {
                if (_groups.Count >= capacity)
                {
                    _groups.Remove(_groups.MinBy(g => g.Value.Started).Key);
                }
                group = new Group(new string?[part.Total], now);
                _groups.Add(key, group);
            }
            group.Parts[part.Sequence - 1] = text;
            if (Array.IndexOf(group.Parts, null) >= 0)
            {
                return null;
            }
            _groups.Remove(key);
            return string.Concat(group.Parts);
        }
    }

    private void DropStale(long now)
    {
        foreach (var (key, group) in _groups)
        {
            if (time.GetElapsedTime(group.Started, now) > maxAge)
            {
                _groups.Remove(key);
            }
        }
    }

    private sealed record Group(string?[] Parts, long Started);
}
