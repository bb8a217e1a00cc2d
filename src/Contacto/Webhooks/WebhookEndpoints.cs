using Contacto.Api;
using Contacto.Audit;
using Contacto.Storage;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Contacto.Webhooks;

/// <summary>
/// Extension: <c>GET|POST /v1/Account/{auth_id}/WebhookSettings/</c>, the account's own callback
/// settings. <c>max_connections_per_host</c> is how many of its callbacks may be in flight to one
/// host at once (the customer's receiver, the customer's to raise), from 1 to
/// <see cref="WebhookOptions.MaxConcurrentPerHostLimit"/>; without it, <see cref="WebhookOptions.MaxConcurrentPerHost"/>.
/// </summary>
internal static class WebhookEndpoints
{
    const string MaxPerHost = "max_connections_per_host";

    public static void MapContactoWebhooks(this RouteGroupBuilder api)
    {
        api.MapGet("/WebhookSettings/", Get);
        api.MapPost("/WebhookSettings/", Update);
    }

    static async Task<IResult> Get(HttpContext context, ApiCaller caller, ContactoDbContext db, IOptions<WebhookOptions> options, IAuditTrail audit)
    {
        await ApiParameters.ReadAsync(context.Request, []);
        var settings = await db.Set<WebhookSettings>().AsNoTracking().SingleOrDefaultAsync(context.RequestAborted);
        await audit.RecordAsync(caller.Entry(AuditActions.WebhookSettingsRead, "webhook_settings", null), context.RequestAborted);
        return View(context, settings?.MaxConcurrentPerHost ?? options.Value.MaxConcurrentPerHost, options.Value);
    }

    static async Task<IResult> Update(HttpContext context, ApiCaller caller, ContactoDbContext db, IOptions<WebhookOptions> options, IAuditTrail audit, TimeProvider time)
    {
        var parameters = await ApiParameters.ReadAsync(context.Request, [MaxPerHost]);
        var limit = (int?)parameters.Integer(MaxPerHost, 1, options.Value.MaxConcurrentPerHostLimit)
                    ?? throw ApiException.BadRequest($"{MaxPerHost} is required");
        await using var transaction = await db.Database.BeginTransactionAsync(context.RequestAborted);
        var settings = await db.Set<WebhookSettings>().SingleOrDefaultAsync(context.RequestAborted);
        if (settings is null)
            db.Add(settings = new WebhookSettings { AccountId = caller.AccountId });
        settings.MaxConcurrentPerHost = limit;
        settings.ModifiedAt = time.GetUtcNow();
        await audit.AppendAsync(db, caller.Entry(AuditActions.WebhookSettingsUpdated, "webhook_settings", null) with
        {
            Reason = $"{MaxPerHost}={limit}",
        }, context.RequestAborted);
        await db.SaveChangesAsync(context.RequestAborted);
        await transaction.CommitAsync(context.RequestAborted);
        return View(context, limit, options.Value);
    }

    static IResult View(HttpContext context, int limit, WebhookOptions options) => Results.Json(new Dictionary<string, object>
    {
        ["api_id"] = ApiResults.ApiId(context),
        [MaxPerHost] = limit,
        ["max_connections_per_host_limit"] = options.MaxConcurrentPerHostLimit,
    });
}
