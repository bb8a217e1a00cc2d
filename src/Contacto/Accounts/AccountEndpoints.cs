using Contacto.Api;
using Contacto.Audit;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Contacto.Accounts;

/// <summary>Account and Subaccount endpoints, plus the token-rotation extension.</summary>
internal static class AccountEndpoints
{
    static readonly string[] AccountUpdateParameters = ["name", "city", "address", "state", "timezone"];
    static readonly string[] SubaccountCreateParameters = ["name", "enabled"];
    static readonly string[] SubaccountUpdateParameters = ["name", "enabled"];
    static readonly string[] DeleteParameters = ["cascade"];
    static readonly string[] RotateParameters = ["grace_period"];

    public static void MapContactoAccounts(this RouteGroupBuilder api)
    {
        api.MapGet("/", GetAccount);
        api.MapPost("/", UpdateAccount);
        api.MapPost("/AuthToken/", RotateToken);

        var subaccounts = api.MapGroup("/Subaccount");
        subaccounts.MapPost("/", CreateSubaccount);
        subaccounts.MapGet("/", ListSubaccounts);
        subaccounts.MapGet("/{subauth_id}/", GetSubaccount);
        subaccounts.MapPost("/{subauth_id}/", UpdateSubaccount);
        subaccounts.MapDelete("/{subauth_id}/", DeleteSubaccount);
    }

    static async Task<IResult> GetAccount(HttpContext context, ApiCaller caller, AccountService accounts, AccountViews views, IAuditTrail audit)
    {
        await ApiParameters.ReadAsync(context.Request, []);
        var account = await accounts.FindAsync(caller.AuthId, context.RequestAborted) ?? throw ApiException.NotFound();
        var view = await views.AccountAsync(account, ApiResults.ApiId(context), context.RequestAborted);
        await audit.RecordAsync(caller.Entry(AuditActions.AccountRead, "account", caller.AuthId), context.RequestAborted);
        return Results.Json(view);
    }

    static async Task<IResult> UpdateAccount(HttpContext context, ApiCaller caller, AccountService accounts, AccountFields fields)
    {
        var parameters = await ApiParameters.ReadAsync(context.Request, AccountUpdateParameters);
        var name = parameters.String("name", 100);
        var city = parameters.String("city", 100);
        var address = parameters.String("address", 255);
        var state = parameters.String("state", 100);
        var timezone = parameters.String("timezone", 64);
        if (name is { Length: 0 })
            throw ApiException.BadRequest("name cannot be empty");
        if (timezone is not null && !TimeZoneInfo.TryFindSystemTimeZoneById(timezone, out _))
            throw ApiException.BadRequest("timezone is not a known time zone");
        var ct = context.RequestAborted;
        var changed = string.Join(",", AccountUpdateParameters.Where(parameters.Has));
        var sealedName = await fields.SealOptionalAsync(caller.AccountId, AccountFields.NamePurpose, name, ct);
        var sealedCity = await fields.SealOptionalAsync(caller.AccountId, AccountFields.CityPurpose, city, ct);
        var sealedAddress = await fields.SealOptionalAsync(caller.AccountId, AccountFields.AddressPurpose, address, ct);
        var sealedState = await fields.SealOptionalAsync(caller.AccountId, AccountFields.StatePurpose, state, ct);
        await accounts.UpdateAsync(caller.AccountId, account =>
        {
            account.NameSealed = sealedName ?? account.NameSealed;
            account.CitySealed = sealedCity ?? account.CitySealed;
            account.AddressSealed = sealedAddress ?? account.AddressSealed;
            account.StateSealed = sealedState ?? account.StateSealed;
            account.Timezone = timezone ?? account.Timezone;
        }, caller.Entry(AuditActions.AccountUpdated, "account", caller.AuthId) with { Reason = $"changed: {changed}" }, ct);
        return Changed(context);
    }

    /// <summary>Extension: issues a new Auth Token; the old one stops now or after <c>grace_period</c> seconds (at most 86400).</summary>
    static async Task<IResult> RotateToken(HttpContext context, ApiCaller caller, AccountService accounts)
    {
        var parameters = await ApiParameters.ReadAsync(context.Request, RotateParameters);
        var grace = TimeSpan.FromSeconds(parameters.Integer("grace_period", 0, (long)AccountService.MaxTokenGrace.TotalSeconds) ?? 0);
        var (token, previousExpiresAt) = await accounts.RotateTokenAsync(caller.AccountId, grace, caller.Actor, caller.RequestId, context.RequestAborted);
        return Results.Json(new
        {
            api_id = ApiResults.ApiId(context),
            auth_id = caller.AuthId,
            auth_token = token,
            previous_token_expires_at = previousExpiresAt?.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss'Z'"),
            message = "rotated",
        });
    }

    static async Task<IResult> CreateSubaccount(HttpContext context, ApiCaller caller, AccountService accounts)
    {
        var parameters = await ApiParameters.ReadAsync(context.Request, SubaccountCreateParameters);
        var name = parameters.String("name", 100, required: true)!;
        var enabled = parameters.Bool("enabled") ?? false;
        MainOnly(caller);
        var created = await accounts.CreateAsync(name, caller.AccountId, enabled, caller.Actor, caller.RequestId, context.RequestAborted);
        return Results.Json(new
        {
            api_id = ApiResults.ApiId(context),
            auth_id = created.Account.AuthId,
            auth_token = created.AuthToken,
            message = "created",
        }, statusCode: StatusCodes.Status201Created);
    }

    static async Task<IResult> ListSubaccounts(HttpContext context, ApiCaller caller, AccountService accounts, AccountViews views, IAuditTrail audit)
    {
        var parameters = await ApiParameters.ReadAsync(context.Request, Paging.ParameterNames);
        var paging = Paging.From(parameters);
        MainOnly(caller);
        var (page, total) = await accounts.ListSubaccountsAsync(caller.AccountId, paging.Offset, paging.Limit, context.RequestAborted);
        var objects = new List<object>(page.Count);
        foreach (var subaccount in page)
            objects.Add(await views.SubaccountAsync(subaccount, caller.AuthId, apiId: null, context.RequestAborted));
        await audit.RecordAsync(caller.Entry(AuditActions.SubaccountListed, "account", null) with { Reason = $"{page.Count} of {total}" }, context.RequestAborted);
        return paging.Page(context.Request, objects, total);
    }

    static async Task<IResult> GetSubaccount(HttpContext context, ApiCaller caller, string subauth_id, AccountService accounts, AccountViews views, IAuditTrail audit)
    {
        await ApiParameters.ReadAsync(context.Request, []);
        MainOnly(caller);
        var subaccount = await FindSubaccountAsync(accounts, caller, subauth_id, context.RequestAborted);
        var view = await views.SubaccountAsync(subaccount, caller.AuthId, ApiResults.ApiId(context), context.RequestAborted);
        await audit.RecordAsync(caller.Entry(AuditActions.SubaccountRead, "account", subaccount.AuthId), context.RequestAborted);
        return Results.Json(view);
    }

    static async Task<IResult> UpdateSubaccount(HttpContext context, ApiCaller caller, string subauth_id, AccountService accounts, AccountFields fields)
    {
        var parameters = await ApiParameters.ReadAsync(context.Request, SubaccountUpdateParameters);
        var name = parameters.String("name", 100, required: true)!;
        var enabled = parameters.Bool("enabled");
        MainOnly(caller);
        var subaccount = await FindSubaccountAsync(accounts, caller, subauth_id, context.RequestAborted);
        var ct = context.RequestAborted;
        var sealedName = await fields.SealAsync(subaccount.Id, AccountFields.NamePurpose, name, ct);
        await accounts.UpdateAsync(subaccount.Id, account =>
        {
            account.NameSealed = sealedName;
            account.Enabled = enabled ?? account.Enabled;
        }, caller.Entry(AuditActions.SubaccountUpdated, "account", subaccount.AuthId), ct);
        return Changed(context);
    }

    static async Task<IResult> DeleteSubaccount(HttpContext context, ApiCaller caller, string subauth_id, AccountService accounts)
    {
        var parameters = await ApiParameters.ReadAsync(context.Request, DeleteParameters);
        var cascade = parameters.Bool("cascade") ?? false;
        MainOnly(caller);
        var subaccount = await FindSubaccountAsync(accounts, caller, subauth_id, context.RequestAborted);
        var record = caller.Entry(AuditActions.SubaccountDeleted, "account", subaccount.AuthId) with { Reason = cascade ? "cascade" : null };
        if (!await accounts.DeleteSubaccountAsync(caller.AccountId, subaccount.Id, cascade, record, context.RequestAborted))
            throw ApiException.NotFound();
        return Results.NoContent();
    }

    static void MainOnly(ApiCaller caller)
    {
        if (!caller.IsMain)
            throw ApiException.Forbidden("a subaccount cannot manage subaccounts");
    }

    /// <summary>Another tenant's subaccount, or no subaccount at all, is the same 404.</summary>
    static async Task<Account> FindSubaccountAsync(AccountService accounts, ApiCaller caller, string authId, CancellationToken cancellationToken) =>
        (Credentials.IsAuthId(authId) ? await accounts.FindSubaccountAsync(caller.AccountId, authId, cancellationToken) : null)
        ?? throw ApiException.NotFound();

    static IResult Changed(HttpContext context) =>
        Results.Json(new { api_id = ApiResults.ApiId(context), message = "changed" }, statusCode: StatusCodes.Status202Accepted);
}
