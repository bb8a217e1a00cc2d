namespace Contacto.Webhooks;

/// <summary>
/// The callbacks a node holds, by account and host: at most a limit in flight to each pair, the
/// rest waiting in the order they were claimed. Keyed by account too, so one account's flood to a
/// host never takes the places of another account's callbacks to the same host. Counts what waits
/// per account, so a claim can pass over accounts that already have enough waiting.
/// </summary>
sealed class HostGates<T> where T : class
{
    sealed class Gate
    {
        public int InFlight;
        public int Limit;
        public readonly Queue<T> Waiting = new();
    }

    readonly Dictionary<(Guid Account, string Host), Gate> gates = [];
    readonly Dictionary<Guid, int> waiting = [];
    readonly Lock sync = new();

    /// <summary>True when <paramref name="item"/> may go now; otherwise it waits its turn.</summary>
    public bool TryEnter(Guid account, string host, int limit, T item)
    {
        lock (sync)
        {
            if (!gates.TryGetValue((account, host), out var gate))
                gates[(account, host)] = gate = new Gate();
            gate.Limit = limit;
            if (gate.InFlight < limit)
            {
                gate.InFlight++;
                return true;
            }
            gate.Waiting.Enqueue(item);
            waiting[account] = waiting.GetValueOrDefault(account) + 1;
            return false;
        }
    }

    /// <summary>Frees the place of an item that went; returns the next one of its account and host to go, if any.</summary>
    public T? Leave(Guid account, string host)
    {
        lock (sync)
        {
            var gate = gates[(account, host)];
            gate.InFlight--;
            if (gate.InFlight < gate.Limit && gate.Waiting.TryDequeue(out var next))
            {
                gate.InFlight++;
                if (--waiting[account] == 0)
                    waiting.Remove(account);
                return next;
            }
            if (gate.InFlight == 0)
                gates.Remove((account, host));
            return null;
        }
    }

    /// <summary>Up to <paramref name="max"/> accounts with at least <paramref name="threshold"/> items waiting.</summary>
    public List<Guid> Busy(int threshold, int max)
    {
        lock (sync)
            return [.. waiting.Where(w => w.Value >= threshold).Select(w => w.Key).Take(max)];
    }

    /// <summary>Takes every waiting item out (when the node stops); items in flight still leave as usual.</summary>
    public List<T> TakeWaiting()
    {
        lock (sync)
        {
            var all = gates.Values.SelectMany(g => g.Waiting).ToList();
            foreach (var gate in gates.Values)
                gate.Waiting.Clear();
            waiting.Clear();
            return all;
        }
    }
}
