using System.Globalization;
using Contacto.Api;
using Contacto.Applications;
using Contacto.Audit;
using Contacto.Auth;
using Contacto.Crypto;
using Contacto.Storage;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Contacto.Numbers;

/// <summary>Plivo's rented Number API: list, get, update (alias, app_id) and unrent.</summary>
public static class NumberEndpoints
{
    static readonly string[] ListParameters = [.. Paging.ParameterNames, "type", "number_startswith", "alias", "services"];
    static readonly string[] UpdateParameters = ["alias", "app_id"];

    public static void MapNumbers(this RouteGroupBuilder api)
    {
        api.MapGet("/Number/", List);
        api.MapGet("/Number/{number}/", Get);
        api.MapPost("/Number/{number}/", Update);
        api.MapDelete("/Number/{number}/", Unrent);
    }

    static async Task<IResult> List(HttpContext context, NumberService numbers, IAuditTrail audit)
    {
        var db = context.RequestServices.GetRequiredService<ContactoDbContext>();
        var parameters = await ApiParameters.ReadAsync(context.Request, ListParameters);
        var paging = Paging.From(parameters);
        var query = db.Set<RentedNumber>().AsNoTracking();
        if (parameters.Choice("type", NumberTypes.All) is { } type)
            query = query.Where(n => n.Type == type);
        if (parameters.String("alias", 100) is { } alias)
            query = query.Where(n => n.Alias == alias);
        // Every number sends SMS; none has voice or MMS yet.
        if (parameters.String("services", 32) is { } services && services.Split(',').Any(s => s.Trim() != "sms"))
            query = query.Where(n => false);
        var prefix = parameters.String("number_startswith", 16);
        if (prefix is not null && !prefix.All(char.IsAsciiDigit))
            throw ApiException.BadRequest("number_startswith must be digits");

        // Numbers are sealed, so the prefix filter runs on the opened numbers of the account.
        var rows = await query.OrderByDescending(n => n.AddedAt).ThenByDescending(n => n.Id).ToListAsync(context.RequestAborted);
        var opened = new List<(RentedNumber Row, string Number)>(rows.Count);
        foreach (var row in rows)
            opened.Add((row, (await numbers.OpenAsync(row, context.RequestAborted)).TrimStart('+')));
        var matching = prefix is null ? opened : [.. opened.Where(n => n.Number.StartsWith(prefix, StringComparison.Ordinal))];
        var caller = ApiAuthentication.Caller(context);
        var page = matching.Skip(paging.Offset).Take(paging.Limit).Select(n => View(n.Row, n.Number, caller.AuthId)).ToList();
        await audit.RecordAsync(ApiAudit.Entry(context, AuditActions.NumberListed, "number", null) with { Reason = $"{page.Count} of {matching.Count}" }, context.RequestAborted);
        return paging.Page(context.Request, page, matching.Count);
    }

    static async Task<IResult> Get(HttpContext context, string number, NumberService numbers, IAuditTrail audit)
    {
        var db = context.RequestServices.GetRequiredService<ContactoDbContext>();
        await ApiParameters.ReadAsync(context.Request, []);
        var (row, e164) = await FindAsync(context, db, numbers, number);
        await audit.RecordAsync(ApiAudit.Entry(context, AuditActions.NumberRead, "number", row.Id.ToString()), context.RequestAborted);
        var view = View(row, e164.TrimStart('+'), ApiAuthentication.Caller(context).AuthId);
        view["api_id"] = ApiResults.ApiId(context);
        return Results.Json(view);
    }

    static async Task<IResult> Update(HttpContext context, string number, NumberService numbers, IAuditTrail audit)
    {
        var db = context.RequestServices.GetRequiredService<ContactoDbContext>();
        var parameters = await ApiParameters.ReadAsync(context.Request, UpdateParameters);
        var alias = parameters.String("alias", 100);
        var (row, _) = await FindAsync(context, db, numbers, number);
        if (parameters.Has("app_id"))
            row.AppId = await ApplicationIdAsync(db, parameters.String("app_id", 64), context.RequestAborted);
        await using var transaction = await db.Database.BeginTransactionAsync(context.RequestAborted);
        row.Alias = alias ?? row.Alias;
        await audit.AppendAsync(db, ApiAudit.Entry(context, AuditActions.NumberUpdated, "number", row.Id.ToString())
            with { Reason = $"changed: {string.Join(",", UpdateParameters.Where(parameters.Has))}" }, context.RequestAborted);
        await db.SaveChangesAsync(context.RequestAborted);
        await transaction.CommitAsync(context.RequestAborted);
        return Results.Json(new { message = "changed", api_id = ApiResults.ApiId(context) }, statusCode: StatusCodes.Status202Accepted);
    }

    static async Task<IResult> Unrent(HttpContext context, string number, NumberService numbers, IAuditTrail audit)
    {
        var db = context.RequestServices.GetRequiredService<ContactoDbContext>();
        await ApiParameters.ReadAsync(context.Request, []);
        var (row, _) = await FindAsync(context, db, numbers, number);
        await using var transaction = await db.Database.BeginTransactionAsync(context.RequestAborted);
        db.Remove(row);
        await audit.AppendAsync(db, ApiAudit.Entry(context, AuditActions.NumberUnrented, "number", row.Id.ToString()), context.RequestAborted);
        await db.SaveChangesAsync(context.RequestAborted);
        await transaction.CommitAsync(context.RequestAborted);
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
        return await db.Set<Application>().AnyAsync(a => a.AppId == appId, cancellationToken)
            ? appId
            : throw ApiException.BadRequest("app_id is not an application of this account");
    }

    static async Task<(RentedNumber Row, string E164)> FindAsync(HttpContext context, ContactoDbContext db, NumberService numbers, string number)
    {
        if (!E164.TryNormalize(number, out var e164))
            throw ApiException.NotFound();
        var row = await numbers.FindAsync(db, ApiAuthentication.Caller(context).AccountId, e164, context.RequestAborted)
            ?? throw ApiException.NotFound();
        return (row, e164);
    }

    static Dictionary<string, object?> View(RentedNumber row, string bareNumber, string authId) => new()
    {
        ["number"] = bareNumber,
        ["alias"] = row.Alias,
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
        ["sub_account"] = null,
        ["renewal_date"] = Day(row.AddedAt.AddMonths(1)),
    };

    static string Day(DateTimeOffset instant) => instant.UtcDateTime.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
}
