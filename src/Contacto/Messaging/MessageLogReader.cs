using System.Text;
using Contacto.Crypto;
using Contacto.Numbers;
using Contacto.Storage;
using Microsoft.EntityFrameworkCore;

namespace Contacto.Messaging;

/// <summary>One message with its numbers (and, when asked for, its text) opened; null where logging forgot them.</summary>
public sealed record OpenedMessage(Message Message, string? From, string? To, string? Text);

/// <summary>Which of an account's messages to read; all optional. <see cref="Before"/> is exclusive; <see cref="Number"/> is E.164 and matches either end.</summary>
public sealed record MessageLogQuery(string? Direction, string? State, DateTimeOffset? After, DateTimeOffset? Before, string? Number);

/// <summary>
/// An account's message detail records for readers outside the API (the console): newest first,
/// filtered, numbers opened with the account's key. Queries run in the account's scope, so another
/// account's message is simply not found.
/// </summary>
public sealed class MessageLogReader(ContactoDbContextFactory contexts, ITenantCrypto crypto)
{
    public async Task<IReadOnlyList<OpenedMessage>> ListAsync(Guid accountId, MessageLogQuery filter, int skip, int take, bool withText, CancellationToken cancellationToken)
    {
        await using var db = contexts.CreateForAccount(accountId);
        var query = db.Set<Message>().AsNoTracking();
        if (filter.Direction is { } direction)
            query = query.Where(m => m.Direction == direction);
        if (filter.State is { } state)
            query = query.Where(m => m.State == state);
        if (filter.After is { } after)
            query = query.Where(m => m.CreatedAt >= after);
        if (filter.Before is { } before)
            query = query.Where(m => m.CreatedAt < before);
        if (filter.Number is { } number)
        {
            var index = await crypto.BlindIndexAsync(accountId, NumberPlan.IndexPurpose, number, cancellationToken);
            query = query.Where(m => m.FromIndex == index || m.ToIndex == index);
        }
        var rows = await query.OrderByDescending(m => m.CreatedAt).ThenByDescending(m => m.Id).Skip(skip).Take(take).ToListAsync(cancellationToken);
        return await OpenAsync(accountId, rows, withText, cancellationToken);
    }

    /// <summary>The account's message with this id, or null (also for another account's message).</summary>
    public async Task<OpenedMessage?> FindAsync(Guid accountId, Guid id, bool withText, CancellationToken cancellationToken)
    {
        await using var db = contexts.CreateForAccount(accountId);
        var message = await db.Set<Message>().AsNoTracking().SingleOrDefaultAsync(m => m.Id == id, cancellationToken);
        return message is null ? null : (await OpenAsync(accountId, [message], withText, cancellationToken))[0];
    }

    async Task<List<OpenedMessage>> OpenAsync(Guid accountId, List<Message> messages, bool withText, CancellationToken cancellationToken)
    {
        if (messages.Count == 0)
            return [];
        using var keys = await crypto.LeaseKeysAsync(accountId, cancellationToken);
        // Without logging, a final message has forgotten its numbers and text: null.
        string? Open(Message message, string purpose, byte[]? sealedValue) =>
            sealedValue is null ? null : Encoding.UTF8.GetString(keys.Open(purpose, message.Id, sealedValue));
        return [.. messages.Select(m => new OpenedMessage(m,
            Open(m, Message.FromPurpose, m.FromSealed),
            Open(m, Message.ToPurpose, m.ToSealed),
            withText ? Open(m, Message.TextPurpose, m.TextSealed) : null))];
    }
}
