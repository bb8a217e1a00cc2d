using System.Globalization;
using System.Text;
using Contacto.Numbers;
using Contacto.Crypto;
using Contacto.Messaging;
using Contacto.Storage;
using Microsoft.AspNetCore.Http;
using Microsoft.EntityFrameworkCore;

namespace Contacto.Console;

/// <summary>
/// The message logs behind the console's Messages page: the account's MDRs newest first, filtered
/// and paged, numbers (and, for roles that may read it, the text) opened with the account's key.
/// Queries run in the account's scope, so another account's message is simply not found.
/// </summary>
public sealed class ConsoleMessageLog(ContactoDbContextFactory contexts, ITenantCrypto crypto)
{
    public const int PageSize = 50;
    public const int MaxPage = 1000;

    /// <summary>What the page's filter form asks for; all optional. <see cref="Before"/> is exclusive.</summary>
    public sealed record Filter(string? Direction, string? State, DateTimeOffset? After, DateTimeOffset? Before, string? Number, int Page)
    {
        /// <summary>The form's raw values, to fill the form again and build paging links.</summary>
        public IReadOnlyDictionary<string, string> Query { get; init; } = new Dictionary<string, string>();
    }

    /// <summary>One message as the console shows it: numbers opened; text only when the role may read it (else null).</summary>
    public sealed record Entry(Message Message, string? From, string? To, string? Text);

    public sealed record Page(IReadOnlyList<Entry> Entries, bool HasMore);

    /// <summary>Only these roles see a message's text; billing and read-only users see its metadata.</summary>
    public static bool MaySeeText(ConsoleRole role) => role >= ConsoleRole.Developer;

    /// <summary>The filter the query string asks for, or an error message for the page.</summary>
    public static (Filter? Filter, string? Error) Parse(IQueryCollection query)
    {
        var raw = new[] { "direction", "state", "from", "to", "number", "page" }
            .Where(name => query[name].ToString().Trim().Length > 0)
            .ToDictionary(name => name, name => query[name].ToString().Trim());
        string? Value(string name) => raw.GetValueOrDefault(name);

        var direction = Value("direction");
        if (direction is not (null or MessageDirections.Inbound or MessageDirections.Outbound))
            return (null, "Direction is inbound or outbound.");
        var state = Value("state");
        if (state is not null && !MessageStates.All.Contains(state))
            return (null, "That is not a message state.");
        if (!TryDate(Value("from"), out var after) || !TryDate(Value("to"), out var until))
            return (null, "Dates are written YYYY-MM-DD.");
        var page = 1;
        if (Value("page") is { } p && (!int.TryParse(p, NumberStyles.None, CultureInfo.InvariantCulture, out page) || page is < 1 or > MaxPage))
            return (null, $"The page is a number from 1 to {MaxPage}.");
        string? number = null;
        if (Value("number") is { } n && !E164.TryNormalize(n, out number))
            return (null, "The number must be in international form, for example +351912345678.");
        // "to" names a day: the range runs to the end of it.
        return (new Filter(direction, state, after, until?.AddDays(1), number, page) { Query = raw }, null);
    }

    static bool TryDate(string? value, out DateTimeOffset? date)
    {
        date = null;
        if (value is null)
            return true;
        if (!DateTime.TryParseExact(value, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal, out var day))
            return false;
        date = new DateTimeOffset(day, TimeSpan.Zero);
        return true;
    }

    public async Task<Page> ListAsync(Guid accountId, Filter filter, bool withText, CancellationToken cancellationToken)
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
        var rows = await query.OrderByDescending(m => m.CreatedAt).ThenByDescending(m => m.Id)
            .Skip((filter.Page - 1) * PageSize).Take(PageSize + 1).ToListAsync(cancellationToken);
        var entries = await OpenAsync(accountId, rows.Take(PageSize).ToList(), withText, cancellationToken);
        return new Page(entries, rows.Count > PageSize);
    }

    /// <summary>The account's message with this id, or null (also for another account's message).</summary>
    public async Task<Entry?> FindAsync(Guid accountId, Guid id, bool withText, CancellationToken cancellationToken)
    {
        await using var db = contexts.CreateForAccount(accountId);
        var message = await db.Set<Message>().AsNoTracking().SingleOrDefaultAsync(m => m.Id == id, cancellationToken);
        return message is null ? null : (await OpenAsync(accountId, [message], withText, cancellationToken))[0];
    }

    async Task<List<Entry>> OpenAsync(Guid accountId, List<Message> messages, bool withText, CancellationToken cancellationToken)
    {
        if (messages.Count == 0)
            return [];
        using var keys = await crypto.LeaseKeysAsync(accountId, cancellationToken);
        // Without logging, a final message has forgotten its numbers and text: null.
        string? Open(Message message, string purpose, byte[]? sealedValue) =>
            sealedValue is null ? null : Encoding.UTF8.GetString(keys.Open(purpose, message.Id, sealedValue));
        return [.. messages.Select(m => new Entry(m,
            Open(m, Message.FromPurpose, m.FromSealed),
            Open(m, Message.ToPurpose, m.ToSealed),
            withText ? Open(m, Message.TextPurpose, m.TextSealed) : null))];
    }
}
