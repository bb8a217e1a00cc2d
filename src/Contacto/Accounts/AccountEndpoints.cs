using Contacto.Api;
using Contacto.Auth;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Contacto.Accounts;

/// <summary>Account and Subaccount endpoints, plus the token-rotation extension.</summary>
public static class AccountEndpoints
{
    static readonly string[] AccountUpdateParameters = ["name", "city", "address", "state", "timezone"];
    static readonly string[] SubaccountCreateParameters = ["name", "enabled"];
    static readonly string[] SubaccountUpdateParameters = ["name", "enabled"];
    static readonly string[] DeleteParameters = ["cascade"];
    static readonly string[] RotateParameters = ["grace_period"];

    public static void MapAccounts(this RouteGroupBuilder api)
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

    static async Task<IResult> GetAccount(HttpContext context, AccountService accounts, AccountViews views)
    {
        await ApiParameters.ReadAsync(context.Request, []);
        var caller = ApiAuthentication.Caller(context);
        var account = await accounts.FindAsync(caller.AuthId, context.RequestAborted) ?? throw ApiException.NotFound();
        return Results.Json(await views.AccountAsync(account, context.RequestAborted));
    }

    static async Task<IResult> UpdateAccount(HttpContext context, AccountService accounts, AccountFields fields)
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
        var caller = ApiAuthentication.Caller(context);
        var ct = context.RequestAborted;
        await accounts.UpdateAsync(caller.AccountId, async account =>
        {
            if (name is not null)
                account.NameSealed = await fields.SealAsync(account.Id, AccountFields.NamePurpose, name, ct);
            if (city is not null)
                account.CitySealed = await fields.SealAsync(account.Id, AccountFields.CityPurpose, city, ct);
            if (address is not null)
                account.AddressSealed = await fields.SealAsync(account.Id, AccountFields.AddressPurpose, address, ct);
            if (state is not null)
                account.StateSealed = await fields.SealAsync(account.Id, AccountFields.StatePurpose, state, ct);
            if (timezone is not null)
                account.Timezone = timezone;
        }, ct);
        return Changed();
    }

    /// <summary>Extension: issues a new Auth Token; the old one stops now or after <c>grace_period</c> seconds (at most 86400).</summary>
    static async Task<IResult> RotateToken(HttpContext context, AccountService accounts)
    {
        var parameters = await ApiParameters.ReadAsync(context.Request, RotateParameters);
        var grace = TimeSpan.FromSeconds(parameters.Integer("grace_period", 0, (long)AccountService.MaxTokenGrace.TotalSeconds) ?? 0);
        var caller = ApiAuthentication.Caller(context);
        var (token, previousExpiresAt) = await accounts.RotateTokenAsync(caller.AccountId, grace, context.RequestAborted);
        return Results.Json(new
        {
            api_id = ApiResults.NewApiId(),
            auth_id = caller.AuthId,
            auth_token = token,
            previous_token_expires_at = previousExpiresAt?.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss'Z'"),
            message = "rotated",
        });
    }

    static async Task<IResult> CreateSubaccount(HttpContext context, AccountService accounts)
    {
        var parameters = await ApiParameters.ReadAsync(context.Request, SubaccountCreateParameters);
        var name = parameters.String("name", 100, required: true)!;
        var enabled = parameters.Bool("enabled") ?? false;
        var caller = MainCaller(context);
        var created = await accounts.CreateAsync(name, caller.AccountId, enabled, context.RequestAborted);
        return Results.Json(new
        {
            api_id = ApiResults.NewApiId(),
            auth_id = created.Account.AuthId,
            auth_token = created.AuthToken,
            message = "created",
        }, statusCode: StatusCodes.Status201Created);
    }

    static async Task<IResult> ListSubaccounts(HttpContext context, AccountService accounts, AccountViews views)
    {
        var parameters = await ApiParameters.ReadAsync(context.Request, Paging.ParameterNames);
        var paging = Paging.From(parameters);
        var caller = MainCaller(context);
        var (page, total) = await accounts.ListSubaccountsAsync(caller.AccountId, paging.Offset, paging.Limit, context.RequestAborted);
        var objects = new List<object>(page.Count);
        foreach (var subaccount in page)
            objects.Add(await views.SubaccountAsync(subaccount, caller.AuthId, withApiId: false, context.RequestAborted));
        return paging.Page(context.Request, objects, total);
    }

    static async Task<IResult> GetSubaccount(HttpContext context, string subauth_id, AccountService accounts, AccountViews views)
    {
        await ApiParameters.ReadAsync(context.Request, []);
        var caller = MainCaller(context);
        var subaccount = await FindSubaccountAsync(accounts, caller, subauth_id, context.RequestAborted);
        return Results.Json(await views.SubaccountAsync(subaccount, caller.AuthId, withApiId: true, context.RequestAborted));
    }

    static async Task<IResult> UpdateSubaccount(HttpContext context, string subauth_id, AccountService accounts, AccountFields fields)
    {
        var parameters = await ApiParameters.ReadAsync(context.Request, SubaccountUpdateParameters);
        var name = parameters.String("name", 100, required: true)!;
        var enabled = parameters.Bool("enabled");
        var caller = MainCaller(context);
        var subaccount = await FindSubaccountAsync(accounts, caller, subauth_id, context.RequestAborted);
        var ct = context.RequestAborted;
        await accounts.UpdateAsync(subaccount.Id, async account =>
        {
            account.NameSealed = await fields.SealAsync(account.Id, AccountFields.NamePurpose, name, ct);
            if (enabled is { } value)
                account.Enabled = value;
        }, ct);
        return Changed();
    }

    static async Task<IResult> DeleteSubaccount(HttpContext context, string subauth_id, AccountService accounts)
    {
        var parameters = await ApiParameters.ReadAsync(context.Request, DeleteParameters);
        var cascade = parameters.Bool("cascade") ?? false;
        var caller = MainCaller(context);
        var subaccount = await FindSubaccountAsync(accounts, caller, subauth_id, context.RequestAborted);
        if (!await accounts.DeleteSubaccountAsync(caller.AccountId, subaccount.Id, cascade, context.RequestAborted))
            throw ApiException.NotFound();
        return Results.NoContent();
    }

    static ApiCaller MainCaller(HttpContext context)
    {
        var caller = ApiAuthentication.Caller(context);
        return caller.IsMain ? caller : throw ApiException.Forbidden("a subaccount cannot manage subaccounts");
    }

    /// <summary>Another tenant's subaccount, or no subaccount at all, is the same 404.</summary>
    static async Task<Account> FindSubaccountAsync(AccountService accounts, ApiCaller caller, string authId, CancellationToken cancellationToken) =>
        (Credentials.IsAuthId(authId) ? await accounts.FindSubaccountAsync(caller.AccountId, authId, cancellationToken) : null)
        ?? throw ApiException.NotFound();

    static IResult Changed() =>
        Results.Json(new { api_id = ApiResults.NewApiId(), message = "changed" }, statusCode: StatusCodes.Status202Accepted);
}
