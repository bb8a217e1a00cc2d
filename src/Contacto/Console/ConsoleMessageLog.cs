using System.Globalization;
using Contacto.Numbers;
using Contacto.Messaging;
using Microsoft.AspNetCore.Http;

namespace Contacto.Console;

/// <summary>
/// The message logs behind the console's Messages page: the filter form read, and pages of the
/// account's MDRs from <see cref="MessageLogReader"/> (the text only for roles that may read it).
/// </summary>
public sealed class ConsoleMessageLog(MessageLogReader messages)
{
    public const int PageSize = 50;
    public const int MaxPage = 1000;

    /// <summary>What the page's filter form asks for; all optional. <see cref="Before"/> is exclusive.</summary>
    public sealed record Filter(string? Direction, string? State, DateTimeOffset? After, DateTimeOffset? Before, string? Number, int Page)
    {
        /// <summary>The form's raw values, to fill the form again and build paging links.</summary>
        public IReadOnlyDictionary<string, string> Query { get; init; } = new Dictionary<string, string>();
    }

    /// <summary>Messages as the console shows them: numbers opened; text only when the role may read it (else null).</summary>
    public sealed record Page(IReadOnlyList<OpenedMessage> Entries, bool HasMore);

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
        var rows = await messages.ListAsync(accountId, new MessageLogQuery(filter.Direction, filter.State, filter.After, filter.Before, filter.Number),
            (filter.Page - 1) * PageSize, PageSize + 1, withText, cancellationToken);
        return new Page([.. rows.Take(PageSize)], rows.Count > PageSize);
    }

    /// <summary>The account's message with this id, or null (also for another account's message).</summary>
    public Task<OpenedMessage?> FindAsync(Guid accountId, Guid id, bool withText, CancellationToken cancellationToken) =>
        messages.FindAsync(accountId, id, withText, cancellationToken);
}
