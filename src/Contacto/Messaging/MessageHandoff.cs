using System.Collections.Concurrent;
using Contacto.Carriers;
using Microsoft.Extensions.Options;

namespace Contacto.Messaging;

/// <summary>
/// Passes messages this node accepts straight to its own dispatcher, with their text still open,
/// instead of through the database. Such a message is stored already claimed by this node (its
/// <see cref="Message.ClaimedUntil"/> is the end of a lease, as a claim would write), so no
/// other node takes it and the dispatcher neither claims it nor opens its sealed fields: on
/// PostgreSQL the claim was the costliest write of a message's path. If the node dies, the lease
/// lapses and any node claims the message from the database, as it would a claimed one.
/// </summary>
/// <remarks>
/// The hand-off holds at most four dispatcher batches; beyond that, and while no dispatcher
/// runs, accepted messages are stored due at once and claimed as before. A message that waited
/// here past half its lease is not sent from here (its lease could lapse mid-submit) but given
/// back to the queue, due at once. The bound is kept small all the same: with 64 batches a flood
/// of sends left messages waiting out their leases, and the bulk bench on PostgreSQL fell by a third.
/// </remarks>
internal sealed class MessageHandoff(IOptions<MessagingOptions> options)
{
    /// <summary>A message handed to the dispatcher, with what goes to the carrier.</summary>
    public sealed record Handed(Message Message, SmsRequest Text);

    readonly ConcurrentQueue<Handed> queue = new();
    int held; // reserved or queued
    volatile bool open;

    int Capacity => options.Value.BatchSize * 4;

    /// <summary>The dispatcher takes hand-offs from now on.</summary>
    public void Open() => open = true;

    /// <summary>
    /// The dispatcher stops: no more hand-offs. Returns the messages it will not send, whose
    /// leases the dispatcher gives up so that another node need not wait for them to lapse.
    /// </summary>
    public List<Handed> Close()
    {
        open = false;
        var left = new List<Handed>();
        while (queue.TryDequeue(out var handed))
        {
            Interlocked.Decrement(ref held);
            left.Add(handed);
        }
        return left;
    }

    /// <summary>Reserves room for one message before its commit; false when it must go through the database.</summary>
    public bool TryReserve()
    {
        if (!open)
            return false;
        if (Interlocked.Increment(ref held) <= Capacity)
            return true;
        Interlocked.Decrement(ref held);
        return false;
    }

    /// <summary>Gives back room reserved for messages whose commit failed.</summary>
    public void Release(int count) => Interlocked.Add(ref held, -count);

    /// <summary>Hands over committed messages, each with its lease's end in <see cref="Message.ClaimedUntil"/>.</summary>
    public void Add(IEnumerable<Handed> committed)
    {
        foreach (var handed in committed)
            queue.Enqueue(handed);
    }

    /// <summary>
    /// Up to <paramref name="max"/> messages to send, oldest first, each with at least half its
    /// lease left; and those met on the way with less, for the dispatcher to give back.
    /// </summary>
    public (List<Handed> Taken, List<Handed> Stale) Take(int max, DateTimeOffset now, TimeSpan lease)
    {
        var (taken, stale) = (new List<Handed>(), new List<Handed>());
        while (taken.Count < max && queue.TryDequeue(out var handed))
        {
            Interlocked.Decrement(ref held);
            (handed.Message.ClaimedUntil - now >= lease / 2 ? taken : stale).Add(handed);
        }
        return (taken, stale);
    }
}
