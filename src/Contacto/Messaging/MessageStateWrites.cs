using Contacto.Storage;
using Microsoft.EntityFrameworkCore;

namespace Contacto.Messaging;

/// <summary>
/// Writes what <see cref="Message.MoveTo"/> changed on a batch of untracked messages with one
/// UPDATE per distinct set of values, rather than one tracked UPDATE per message: the dispatcher
/// and the receipt recorder move hundreds of messages a turn, nearly all to the same state, and on
/// SQLite these writes hold the one writer's turn.
/// </summary>
static class MessageStateWrites
{
    /// <summary>
    /// The values a move wrote. Only a move to <c>sent</c> records the carrier, the time and the
    /// units; a final state writes the sealed fields its <c>log</c> setting dropped.
    /// </summary>
    readonly record struct Change(string State, string? ErrorCode, DateTimeOffset UpdatedAt,
        (string? Carrier, DateTimeOffset? SentAt, int Units)? Send, bool TextDropped, bool NumbersDropped)
    {
        public static Change Of(Message message) => new(message.State, message.ErrorCode, message.UpdatedAt,
            message.State == MessageStates.Sent ? (message.Carrier, message.SentAt, message.Units) : null,
            MessageStates.IsFinal(message.State) && !message.KeepsText,
            MessageStates.IsFinal(message.State) && !message.KeepsNumbers);
    }

    /// <summary>Call inside the caller's transaction, with messages <paramref name="db"/> does not track.</summary>
    public static async Task WriteAsync(ContactoDbContext db, IEnumerable<Message> moved, CancellationToken cancellationToken)
    {
        foreach (var group in moved.GroupBy(Change.Of))
        {
            var change = group.Key;
            var ids = group.Select(m => m.Id).ToList();
            await db.Set<Message>().Where(m => ids.Contains(m.Id)).ExecuteUpdateAsync(set =>
            {
                // Whatever it moved to, a moved message is no longer waiting for a carrier.
                set.SetProperty(m => m.State, change.State)
                    .SetProperty(m => m.ErrorCode, change.ErrorCode)
                    .SetProperty(m => m.UpdatedAt, change.UpdatedAt)
                    .SetProperty(m => m.NextAttemptAt, (DateTimeOffset?)null)
                    .SetProperty(m => m.ClaimedUntil, (DateTimeOffset?)null);
                if (change.Send is { } send)
                    set.SetProperty(m => m.Carrier, send.Carrier).SetProperty(m => m.SentAt, send.SentAt).SetProperty(m => m.Units, send.Units);
                if (change.TextDropped)
                    set.SetProperty(m => m.TextSealed, (byte[]?)null);
                if (change.NumbersDropped)
                    set.SetProperty(m => m.FromSealed, (byte[]?)null).SetProperty(m => m.ToSealed, (byte[]?)null)
                        .SetProperty(m => m.FromIndex, (byte[]?)null).SetProperty(m => m.ToIndex, (byte[]?)null);
            }, cancellationToken);
        }
    }

    /// <summary>Puts retried messages back in the queue, their leases ended: their attempts and next attempt, one UPDATE per distinct pair.</summary>
    public static async Task WriteRetriesAsync(ContactoDbContext db, IEnumerable<Message> retried, CancellationToken cancellationToken)
    {
        foreach (var group in retried.GroupBy(m => (m.Attempts, m.NextAttemptAt)))
        {
            var (attempts, next) = group.Key;
            var ids = group.Select(m => m.Id).ToList();
            await db.Set<Message>().Where(m => ids.Contains(m.Id)).ExecuteUpdateAsync(set => set
                .SetProperty(m => m.Attempts, attempts).SetProperty(m => m.NextAttemptAt, next)
                .SetProperty(m => m.ClaimedUntil, (DateTimeOffset?)null), cancellationToken);
        }
    }
}
