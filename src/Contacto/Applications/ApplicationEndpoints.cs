using System.Globalization;
using System.Text.RegularExpressions;
using Contacto.Accounts;
using Contacto.Api;
using Contacto.Audit;
using Contacto.Crypto;
using Contacto.Storage;
using Contacto.Webhooks;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.EntityFrameworkCore;

namespace Contacto.Applications;

/// <summary>The Plivo Application API.</summary>
internal static partial class ApplicationEndpoints
{
    static readonly string[] UrlFields = ["answer_url", "hangup_url", "fallback_answer_url", "message_url"];
    static readonly string[] MethodFields = ["answer_method", "hangup_method", "fallback_method", "message_method"];
    static readonly string[] FlagFields = ["default_number_app", "default_endpoint_app", "log_incoming_messages"];
    static readonly string[] WriteParameters = ["app_name", "subaccount", .. UrlFields, .. MethodFields, .. FlagFields];
    static readonly string[] ListParameters = [.. Paging.ParameterNames, "app_name"];
    static readonly string[] DeleteParameters = ["cascade", "new_endpoint_application"];
    static readonly string[] Methods = ["GET", "POST"];

    public static void MapContactoApplications(this RouteGroupBuilder api)
    {
        var applications = api.MapGroup("/Application");
        applications.MapPost("/", Create);
        applications.MapGet("/", List);
        applications.MapGet("/{app_id}/", Get);
        applications.MapPost("/{app_id}/", Update);
        applications.MapDelete("/{app_id}/", Delete);
    }

    static async Task<IResult> Create(HttpContext context, ApiCaller caller, ContactoDbContext db, OutboundUrlPolicy policy, AccountService accounts, ITenantCrypto crypto, IAuditTrail audit, TimeProvider time)
    {
        var parameters = await ApiParameters.ReadAsync(context.Request, WriteParameters);
        var application = new Application
        {
            Id = Guid.CreateVersion7(),
            AccountId = caller.AccountId,
            AppId = Application.NewAppId(),
            AppName = AppName(parameters, required: true)!,
            CreatedAt = time.GetUtcNow(),
        };
        await ApplyAsync(application, parameters, policy, accounts, crypto, caller, context.RequestAborted);
        await using var transaction = await db.Database.BeginTransactionAsync(context.RequestAborted);
        db.Add(application);
        await audit.AppendAsync(db, caller.Entry(AuditActions.ApplicationCreated, "application", application.AppId), context.RequestAborted);
        await db.SaveChangesAsync(context.RequestAborted);
        await transaction.CommitAsync(context.RequestAborted);
        return Results.Json(new { api_id = ApiResults.ApiId(context), app_id = application.AppId, message = "created" }, statusCode: StatusCodes.Status201Created);
    }

    static async Task<IResult> List(HttpContext context, ApiCaller caller, ContactoDbContext db, AccountService accounts, ITenantCrypto crypto, IAuditTrail audit)
    {
        var parameters = await ApiParameters.ReadAsync(context.Request, ListParameters);
        var paging = Paging.From(parameters);
        var query = db.Set<Application>().AsNoTracking();
        if (parameters.String("app_name", 64) is { } name)
            query = query.Where(a => a.AppName == name);
        var total = await query.CountAsync(context.RequestAborted);
        var page = await query.OrderByDescending(a => a.CreatedAt).ThenByDescending(a => a.Id).Skip(paging.Offset).Take(paging.Limit).ToListAsync(context.RequestAborted);
        var views = new List<object>(page.Count);
        using (var keys = await crypto.LeaseKeysAsync(caller.AccountId, context.RequestAborted))
            foreach (var application in page)
                views.Add(await ViewAsync(application, keys, context, caller, accounts, withApiId: false));
        await audit.RecordAsync(caller.Entry(AuditActions.ApplicationListed, "application", null), context.RequestAborted);
        return paging.Page(context.Request, views, total);
    }

    static async Task<IResult> Get(HttpContext context, ApiCaller caller, ContactoDbContext db, string app_id, AccountService accounts, ITenantCrypto crypto, IAuditTrail audit)
    {
        await ApiParameters.ReadAsync(context.Request, []);
        var application = await FindAsync(db, app_id, tracked: false, context.RequestAborted);
        using var keys = await crypto.LeaseKeysAsync(application.AccountId, context.RequestAborted);
        var view = await ViewAsync(application, keys, context, caller, accounts, withApiId: true);
        await audit.RecordAsync(caller.Entry(AuditActions.ApplicationRead, "application", app_id), context.RequestAborted);
        return Results.Json(view);
    }

    static async Task<IResult> Update(HttpContext context, ApiCaller caller, ContactoDbContext db, string app_id, OutboundUrlPolicy policy, AccountService accounts, ITenantCrypto crypto, IAuditTrail audit, TimeProvider time)
    {
        var parameters = await ApiParameters.ReadAsync(context.Request, WriteParameters);
        var application = await FindAsync(db, app_id, tracked: true, context.RequestAborted);
        if (AppName(parameters, required: false) is { } name)
            application.AppName = name;
        await ApplyAsync(application, parameters, policy, accounts, crypto, caller, context.RequestAborted);
        application.ModifiedAt = time.GetUtcNow();
        await using var transaction = await db.Database.BeginTransactionAsync(context.RequestAborted);
        await audit.AppendAsync(db, caller.Entry(AuditActions.ApplicationUpdated, "application", app_id), context.RequestAborted);
        await db.SaveChangesAsync(context.RequestAborted);
        await transaction.CommitAsync(context.RequestAborted);
        return Results.Json(new { api_id = ApiResults.ApiId(context), message = "changed" }, statusCode: StatusCodes.Status202Accepted);
    }

    static async Task<IResult> Delete(HttpContext context, ApiCaller caller, ContactoDbContext db, string app_id, IAuditTrail audit, IEnumerable<IApplicationDeletionHandler> handlers)
    {
        var parameters = await ApiParameters.ReadAsync(context.Request, DeleteParameters);
        var cascade = parameters.Bool("cascade") ?? false;
        var application = await FindAsync(db, app_id, tracked: true, context.RequestAborted);
        await using var transaction = await db.Database.BeginTransactionAsync(context.RequestAborted);
        foreach (var handler in handlers)
            await handler.OnApplicationDeletedAsync(db, application, cascade, context.RequestAborted);
        db.Remove(application);
        await audit.AppendAsync(db, caller.Entry(AuditActions.ApplicationDeleted, "application", app_id), context.RequestAborted);
        await db.SaveChangesAsync(context.RequestAborted);
        await transaction.CommitAsync(context.RequestAborted);
        return Results.NoContent();
    }

    /// <summary>Another account's application, or none, is the same 404.</summary>
    static async Task<Application> FindAsync(ContactoDbContext db, string appId, bool tracked, CancellationToken cancellationToken)
    {
        if (!AppIdForm().IsMatch(appId))
            throw ApiException.NotFound();
        var query = tracked ? db.Set<Application>() : db.Set<Application>().AsNoTracking();
        return await query.SingleOrDefaultAsync(a => a.AppId == appId, cancellationToken) ?? throw ApiException.NotFound();
    }

    static string? AppName(ApiParameters parameters, bool required)
    {
        var name = parameters.String("app_name", 64, required);
        return name is null || AppNameForm().IsMatch(name)
            ? name
            : throw ApiException.BadRequest("app_name may contain only letters, digits, '-' and '_'");
    }

    /// <summary>Sets what the request names; every URL must pass the outbound URL policy now, and is sealed.</summary>
    static async Task ApplyAsync(Application application, ApiParameters parameters, OutboundUrlPolicy policy, AccountService accounts, ITenantCrypto crypto,
        ApiCaller caller, CancellationToken cancellationToken)
    {
        using var keys = await crypto.LeaseKeysAsync(application.AccountId, cancellationToken);
        foreach (var field in UrlFields)
        {
            if (!parameters.Has(field))
                continue;
            var url = parameters.String(field, 2048);
            if (!string.IsNullOrEmpty(url) && await policy.ProblemWhenSavedAsync(url, cancellationToken) is { } problem)
                throw ApiException.BadRequest($"{field} {problem}");
            application.SetUrl(keys, field, string.IsNullOrEmpty(url) ? null : url);
        }
        application.AnswerMethod = Method(parameters, "answer_method") ?? application.AnswerMethod;
        application.HangupMethod = Method(parameters, "hangup_method") ?? application.HangupMethod;
        application.FallbackMethod = Method(parameters, "fallback_method") ?? application.FallbackMethod;
        application.MessageMethod = Method(parameters, "message_method") ?? application.MessageMethod;
        application.DefaultNumberApp = parameters.Bool("default_number_app") ?? application.DefaultNumberApp;
        application.DefaultEndpointApp = parameters.Bool("default_endpoint_app") ?? application.DefaultEndpointApp;
        application.LogIncomingMessages = parameters.Bool("log_incoming_messages") ?? application.LogIncomingMessages;
        if (parameters.String("subaccount", 20) is { } subaccount)
        {
            var owned = caller.IsMain && Credentials.IsAuthId(subaccount)
                ? await accounts.FindSubaccountAsync(caller.AccountId, subaccount, cancellationToken)
                : null;
            application.SubaccountId = (owned ?? throw ApiException.BadRequest("subaccount is not a subaccount of this account")).Id;
        }
    }

    static string? Method(ApiParameters parameters, string name) => parameters.Choice(name, Methods);

    static async Task<object> ViewAsync(Application a, TenantKeyLease keys, HttpContext context, ApiCaller caller, AccountService accounts, bool withApiId)
    {
        var subaccount = a.SubaccountId is { } id ? await accounts.FindByIdAsync(id, context.RequestAborted) : null;
        var view = new Dictionary<string, object?>
        {
            ["answer_method"] = a.AnswerMethod,
            ["answer_url"] = a.Url(keys, "answer_url"),
            ["app_id"] = a.AppId,
            ["app_name"] = a.AppName,
            ["application_type"] = "XML",
            ["created"] = a.CreatedAt.UtcDateTime.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
            ["default_app"] = a.DefaultNumberApp,
            ["default_endpoint_app"] = a.DefaultEndpointApp,
            ["enabled"] = a.Enabled,
            ["fallback_answer_url"] = a.Url(keys, "fallback_answer_url"),
            ["fallback_method"] = a.FallbackMethod,
            ["hangup_method"] = a.HangupMethod,
            ["hangup_url"] = a.Url(keys, "hangup_url") ?? a.Url(keys, "answer_url"),
            ["log_incoming_messages"] = a.LogIncomingMessages,
            ["message_method"] = a.MessageMethod,
            ["message_url"] = a.Url(keys, "message_url"),
            ["public_uri"] = false,
            ["resource_uri"] = $"/v1/Account/{caller.AuthId}/Application/{a.AppId}/",
            ["sip_uri"] = $"sip:{a.AppId}@app.contacto.local",
            ["sub_account"] = subaccount is null ? null : $"/v1/Account/{caller.AuthId}/Subaccount/{subaccount.AuthId}/",
        };
        if (withApiId)
            view["api_id"] = ApiResults.ApiId(context);
        return view;
    }

    [GeneratedRegex("^[A-Za-z0-9_-]{1,64}$")]
    private static partial Regex AppNameForm();

    [GeneratedRegex("^[0-9]{17}$")]
    private static partial Regex AppIdForm();
}

/// <summary>A capability with resources linked to applications (numbers): unlinks or deletes them when one is deleted.</summary>
internal interface IApplicationDeletionHandler
{
    Task OnApplicationDeletedAsync(ContactoDbContext db, Application application, bool cascade, CancellationToken cancellationToken);
}
