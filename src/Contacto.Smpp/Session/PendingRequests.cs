using Contacto.Smpp.Protocol;

namespace Contacto.Smpp.Session;

/// <summary>
/// Requests waiting for their response, by sequence number. Settling an entry that held a
/// window slot gives the slot back, whether by response, time-out or closing.
/// </summary>
internal sealed class PendingRequests(SemaphoreSlim window)
{
    private readonly Dictionary<uint, Entry> _bySequence = [];

    public int Count
    {
        get
        {
            lock (_bySequence)
            {
                return _bySequence.Count;
            }
        }
    }

    public Task<Pdu> Add(uint sequence, CommandId expectedResponse, long deadline, bool holdsWindowSlot)
    {
        var entry = new Entry(expectedResponse, deadline, holdsWindowSlot);
        lock (_bySequence)
        {
            _bySequence.Add(sequence, entry);
        }
        return entry.Task;
    }

    /// <summary>Completes the request answered by this response; false for an unsolicited one.</summary>
    public bool TryResolve(Pdu response)
    {
        Entry? entry;
        lock (_bySequence)
        {
            if (!_bySequence.TryGetValue(response.SequenceNumber, out entry)
                || (response.CommandId != entry.ExpectedResponse && response.CommandId != CommandId.GenericNack))
            {
                return false;
            }
            _bySequence.Remove(response.SequenceNumber);
        }
        entry.TrySetResult(response);
        ReleaseSlot(entry);
        return true;
    }

    /// <summary>Fails the request with this sequence, if it is still waiting (it was never written).</summary>
    public void Fail(uint sequence, Exception error)
    {
        Entry? entry;
        lock (_bySequence)
        {
            if (!_bySequence.Remove(sequence, out entry))
            {
                return;
            }
        }
        Fail(entry, error);
    }

    /// <summary>
    /// Fails every request whose deadline has passed. Ticks may overlap on a busy machine, so
    /// each call collects its own expired entries.
    /// </summary>
    public void ExpireDue(long now)
    {
        List<Entry>? expired = null;
        lock (_bySequence)
        {
            foreach (var (sequence, entry) in _bySequence)
            {
                if (entry.Deadline <= now)
                {
                    (expired ??= []).Add(entry);
                    _bySequence.Remove(sequence);
                }
            }
        }
        foreach (var entry in expired ?? [])
        {
            Fail(entry, new SmppResponseTimeoutException($"No {entry.ExpectedResponse} in time."));
        }
    }

    public void FailAll(Exception error)
    {
        Entry[] all;
        lock (_bySequence)
        {
            all = [.. _bySequence.Values];
            _bySequence.Clear();
        }
        foreach (var entry in all)
        {
            Fail(entry, error);
        }
    }

    private void Fail(Entry entry, Exception error)
    {
        entry.TrySetException(error);
        ReleaseSlot(entry);
    }

    private void ReleaseSlot(Entry entry)
    {
        if (entry.HoldsWindowSlot)
        {
            window.Release();
        }
    }

    private sealed class Entry(CommandId expectedResponse, long deadline, bool holdsWindowSlot)
        : TaskCompletionSource<Pdu>(TaskCreationOptions.RunContinuationsAsynchronously)
    {
        public CommandId ExpectedResponse { get; } = expectedResponse;

        public long Deadline { get; } = deadline;

        public bool HoldsWindowSlot { get; } = holdsWindowSlot;
    }
}
