using System.Globalization;
using Contacto.Accounts;
using Contacto.Api;
using Contacto.Applications;
using Contacto.Audit;
using Contacto.Crypto;
using Contacto.Storage;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.EntityFrameworkCore;

namespace Contacto.Numbers;

/// <summary>
/// Plivo's rented Number API: list, get, update (alias, app_id, subaccount) and unrent. A main
/// account sees and manages its subaccounts' numbers too (<c>sub_account</c> names the holder) and
/// assigns numbers to them; a subaccount sees only its own.
/// </summary>
internal static class NumberEndpoints
{
    const string RenewalDate = "renewal_date";
    static readonly string[] ListParameters = [.. Paging.ParameterNames, .. TimeRange.ParameterNames(RenewalDate), "type", "number_startswith", "alias", "services", "subaccount"];
    static readonly string[] UpdateParameters = ["alias", "app_id", "subaccount"];

    public static void MapContactoNumbers(this RouteGroupBuilder api)
    {
        api.MapGet("/Number/", List);
        api.MapGet("/Number/{number}/", Get);
        api.MapPost("/Number/{number}/", Update);
        api.MapDelete("/Number/{number}/", Unrent);
    }

    static async Task<IResult> List(HttpContext context, ApiCaller caller, NumberService numbers, AccountService accounts, IAuditTrail audit)
    {
        var parameters = await ApiParameters.ReadAsync(context.Request, ListParameters);
        var paging = Paging.From(parameters);
        var type = parameters.Choice("type", NumberTypes.All);
        var alias = parameters.String("alias", 100);
        // Every number sends SMS; none has voice or MMS yet.
        var services = parameters.String("services", 32);
        var noneMatch = services is not null && services.Split(',').Any(s => s.Trim() != "sms");
        var renewal = TimeRange.From(parameters, RenewalDate);
        var prefix = parameters.String("number_startswith", 16);
        if (prefix is not null && !prefix.All(char.IsAsciiDigit))
            throw ApiException.BadRequest("number_startswith must be digits");
        var owners = await OwnersAsync(caller, accounts, parameters.String("subaccount", 64), context.RequestAborted);

        // Numbers and aliases are sealed and the renewal date is computed, so these filters run in memory on the account's numbers.
        var rows = (await numbers.ListAsync(owners.Keys, context.RequestAborted))
            .Where(n => !noneMatch && (type is null || n.Type == type) && renewal.Contains(RenewalOf(n)));
        var opened = new List<(RentedNumber Row, string Number, string? Alias)>();
        foreach (var row in rows)
            opened.Add((row, (await numbers.OpenAsync(row, context.RequestAborted)).TrimStart('+'), await numbers.OpenAliasAsync(row, context.RequestAborted)));
        var matching = opened.Where(n => (prefix is null || n.Number.StartsWith(prefix, StringComparison.Ordinal)) && (alias is null || n.Alias == alias)).ToList();
        var page = matching.Skip(paging.Offset).Take(paging.Limit).Select(n => View(n.Row, n.Number, n.Alias, caller.AuthId, owners[n.Row.AccountId])).ToList();
        await audit.RecordAsync(caller.Entry(AuditActions.NumberListed, "number", null) with { Reason = $"{page.Count} of {matching.Count}" }, context.RequestAborted);
        return paging.Page(context.Request, page, matching.Count);
    }

    static async Task<IResult> Get(HttpContext context, ApiCaller caller, string number, NumberService numbers, AccountService accounts, IAuditTrail audit)
    {
        await ApiParameters.ReadAsync(context.Request, []);
        var owners = await OwnersAsync(caller, accounts, null, context.RequestAborted);
        var (row, e164) = await FindAsync(context, numbers, owners, number);
        await audit.RecordAsync(caller.Entry(AuditActions.NumberRead, "number", row.Id.ToString()), context.RequestAborted);
        var view = View(row, e164.TrimStart('+'), await numbers.OpenAliasAsync(row, context.RequestAborted), caller.AuthId, owners[row.AccountId]);
        view["api_id"] = ApiResults.ApiId(context);
        return Results.Json(view);
    }

    static async Task<IResult> Update(HttpContext context, ApiCaller caller, ContactoDbContext db, string number, NumberService numbers, AccountService accounts)
    {
        var parameters = await ApiParameters.ReadAsync(context.Request, UpdateParameters);
        var alias = parameters.String("alias", 100);
        var subaccount = parameters.String("subaccount", 64);
        var owners = await OwnersAsync(caller, accounts, null, context.RequestAborted);
        var (row, e164) = await FindAsync(context, numbers, owners, number);
        // subaccount names the holder: a subaccount of the caller, or "" (or the caller itself) for the main account.
        var owner = subaccount is null ? row.AccountId
            : subaccount.Length == 0 || subaccount == caller.AuthId ? caller.AccountId
            : owners.FirstOrDefault(o => o.Value == subaccount && o.Key != caller.AccountId).Key;
        if (owner == Guid.Empty || subaccount is not null && !caller.IsMain)
            throw caller.IsMain ? ApiException.BadRequest("subaccount is not a subaccount of this account") : ApiException.Forbidden("a subaccount cannot assign numbers");
        var linking = parameters.Has("app_id");
        var appId = linking ? await ApplicationIdAsync(db, parameters.String("app_id", 64), context.RequestAborted) : null;
        var record = caller.Entry(AuditActions.NumberUpdated, "number", row.Id.ToString())
            with { Reason = $"changed: {string.Join(",", UpdateParameters.Where(parameters.Has))}" };
        await numbers.UpdateAsync(row, e164, owner, alias, linking, appId, record, context.RequestAborted);
        return Results.Json(new { message = "changed", api_id = ApiResults.ApiId(context) }, statusCode: StatusCodes.Status202Accepted);
    }

    static async Task<IResult> Unrent(HttpContext context, ApiCaller caller, string number, NumberService numbers, AccountService accounts)
    {
        await ApiParameters.ReadAsync(context.Request, []);
        var (row, _) = await FindAsync(context, numbers, await OwnersAsync(caller, accounts, null, context.RequestAborted), number);
        await numbers.UnrentAsync(row, caller.Entry(AuditActions.NumberUnrented, "number", row.Id.ToString()), context.RequestAborted);
        return Results.NoContent();
    }

    /// <summary>
    /// The application to link: one of the caller's own (the tenant-scoped context sees no other).
    /// Null, "" or "null" unlinks.
    /// </summary>
    static async Task<string?> ApplicationIdAsync(ContactoDbContext db, string? appId, CancellationToken cancellationToken)
    {
        if (appId is null or "" or "null")
            return null;
        return await ApplicationLookup.ExistsAsync(db, appId, cancellationToken)
            ? appId
            : throw ApiException.BadRequest("app_id is not an application of this account");
    }

    /// <summary>
    /// The accounts whose numbers the caller may see, with the <c>sub_account</c> each shows: the
    /// caller itself and, for a main account, its live subaccounts, or only the one named by
    /// <paramref name="subaccount"/>.
    /// </summary>
    static async Task<Dictionary<Guid, string?>> OwnersAsync(ApiCaller caller, AccountService accounts, string? subaccount, CancellationToken cancellationToken)
    {
        var self = new Dictionary<Guid, string?> { [caller.AccountId] = caller.IsMain ? null : caller.AuthId };
        if (!caller.IsMain)
            return subaccount is null || subaccount == caller.AuthId ? self : throw ApiException.Forbidden("a subaccount sees only its own numbers");
        if (subaccount is not null)
        {
            var named = await accounts.FindSubaccountAsync(caller.AccountId, subaccount, cancellationToken)
                        ?? throw ApiException.BadRequest("subaccount is not a subaccount of this account");
            return new() { [named.Id] = named.AuthId };
        }
        var (subaccounts, _) = await accounts.ListSubaccountsAsync(caller.AccountId, 0, int.MaxValue, cancellationToken);
        foreach (var sub in subaccounts)
            self[sub.Id] = sub.AuthId;
        return self;
    }

    static async Task<(RentedNumber Row, string E164)> FindAsync(HttpContext context, NumberService numbers, Dictionary<Guid, string?> owners, string number)
    {
        if (!E164.TryNormalize(number, out var e164))
            throw ApiException.NotFound();
        var row = await numbers.FindAmongAsync(owners.Keys, e164, context.RequestAborted) ?? throw ApiException.NotFound();
        return (row, e164);
    }

    /// <summary>Numbers renew monthly from the day they were added.</summary>
    static DateTimeOffset RenewalOf(RentedNumber row) => new(row.AddedAt.UtcDateTime.Date.AddMonths(1), TimeSpan.Zero);

    static Dictionary<string, object?> View(RentedNumber row, string bareNumber, string? alias, string authId, string? subaccount) => new()
    {
        ["number"] = bareNumber,
        ["alias"] = alias,
        ["added_on"] = Day(row.AddedAt),
        ["application"] = row.AppId is null ? null : $"/v1/Account/{authId}/Application/{row.AppId}/",
        ["carrier"] = "Contacto",
        ["monthly_rental_rate"] = "0.00000",
        ["number_type"] = row.Type,
        ["region"] = row.Country,
        ["resource_uri"] = $"/v1/Account/{authId}/Number/{bareNumber}/",
        ["sms_enabled"] = true,
        ["sms_rate"] = "0.00000",
        ["voice_enabled"] = false,
        ["voice_rate"] = "0.00000",
        ["mms_enabled"] = false,
        ["sub_account"] = subaccount,
        ["renewal_date"] = Day(RenewalOf(row)),
    };

    static string Day(DateTimeOffset instant) => instant.UtcDateTime.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
}
