using System.Text;
using Contacto.Numbers;
using Contacto.Api;
using Contacto.Audit;
using Contacto.Crypto;
using Contacto.Storage;
using Contacto.Webhooks;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Contacto.Messaging;

/// <summary>
/// Plivo's Message API: send (202 with one uuid per destination), get and list MDRs; and, as an
/// extension, what became of a message's status callbacks.
/// </summary>
internal static class MessageEndpoints
{
    // media_urls and media_ids are known so that an MMS gets its own clear refusal.
    static readonly string[] SendParameters = ["src", "dst", "text", "type", "url", "method", "log", "media_urls", "media_ids"];
    static readonly string[] Types = ["sms", "mms", "whatsapp"];
    static readonly string[] ListParameters =
    [
        .. Paging.ParameterNames, .. TimeRange.ParameterNames("message_time"), "message_direction", "message_state",
        "message_type", "error_code", "from_number", "to_number", "destination_country_iso2",
    ];

    /// <summary>Without a message_time bound, lists cover the last 24 hours, as Plivo's do.</summary>
    static readonly TimeSpan DefaultWindow = TimeSpan.FromHours(24);

    public static void MapContactoMessaging(this RouteGroupBuilder api)
    {
        api.MapPost("/Message/", Send);
        api.MapGet("/Message/", List);
        api.MapGet("/Message/{message_uuid}/", Get);
        api.MapGet("/Message/{message_uuid}/Callback/", Callbacks);
    }

    static async Task<IResult> Send(HttpContext context, ApiCaller caller, ContactoDbContext db, MessageService messages, IOptions<MessagingOptions> options, OutboundUrlPolicy policy)
    {
        var parameters = await ApiParameters.ReadAsync(context.Request, SendParameters);
        var type = parameters.Choice("type", Types) ?? "sms";
        if (type != "sms")
            throw ApiException.BadRequest($"type {type} is not supported yet: only sms");
        if (parameters.Has("media_urls") || parameters.Has("media_ids"))
            throw ApiException.BadRequest("media_urls and media_ids need type mms, which is not supported yet");
        var log = parameters.BoolOrChoice("log", MessageLog.Partial) ?? "true";
        var request = new SendRequest(
            parameters.String("src", 64, required: true)!,
            parameters.String("dst", 20 * options.Value.MaxDestinations, required: true)!,
            parameters.String("text", options.Value.MaxTextLength, required: true)!,
            await CallbackUrlAsync(parameters.String("url", 2048), policy, context.RequestAborted),
            parameters.Choice("method", ["GET", "POST"]) ?? "POST",
            log != "false",
            MessageLog.Partial.Contains(log) ? log : null);
        var result = await messages.SendAsync(db, caller.AccountId, request,
            caller.Entry(AuditActions.MessageQueued, "message", null),
            AuditText.Address(context.Connection.RemoteIpAddress), context.RequestAborted);
        var body = new Dictionary<string, object>
        {
            ["api_id"] = ApiResults.ApiId(context),
            ["message"] = "message(s) queued",
            ["message_uuid"] = result.MessageIds,
        };
        if (result.InvalidNumbers.Count > 0)
            body["invalid_number"] = result.InvalidNumbers;
        return Results.Json(body, statusCode: StatusCodes.Status202Accepted);
    }

    /// <summary>A status callback URL must pass the outbound URL policy now, as it will at each send.</summary>
    static async Task<string?> CallbackUrlAsync(string? url, OutboundUrlPolicy policy, CancellationToken cancellationToken)
    {
        if (url is null)
            return null;
        return await policy.ProblemWhenSavedAsync(url, cancellationToken) is { } problem
            ? throw ApiException.BadRequest($"url {problem}")
            : url;
    }

    static async Task<IResult> Get(HttpContext context, ApiCaller caller, ContactoDbContext db, string message_uuid, ITenantCrypto crypto, IAuditTrail audit)
    {
        await ApiParameters.ReadAsync(context.Request, []);
        if (!Guid.TryParse(message_uuid, out var id))
            throw ApiException.NotFound();
        var message = await db.Set<Message>().AsNoTracking().SingleOrDefaultAsync(m => m.Id == id, context.RequestAborted)
            ?? throw ApiException.NotFound();
        var views = await ViewsAsync(crypto, caller.AccountId, caller.AuthId, [message], context.RequestAborted);
        await audit.RecordAsync(caller.Entry(AuditActions.MessageRead, "message", message.Id.ToString()), context.RequestAborted);
        var view = views[0];
        view["api_id"] = ApiResults.ApiId(context);
        return Results.Json(view);
    }

    /// <summary>
    /// The message's status callbacks, oldest first, each with its attempts: when, the answer's
    /// status code, latency, error and what comes next. Never the URL (it may hold a secret) nor
    /// the signatures; the state each callback reports is read from its sealed fields.
    /// </summary>
    static async Task<IResult> Callbacks(HttpContext context, ApiCaller caller, ContactoDbContext db, string message_uuid, ITenantCrypto crypto, IAuditTrail audit)
    {
        await ApiParameters.ReadAsync(context.Request, []);
        if (!Guid.TryParse(message_uuid, out var id) || !await db.Set<Message>().AnyAsync(m => m.Id == id, context.RequestAborted))
            throw ApiException.NotFound();
        var key = id.ToString();
        List<Dictionary<string, object?>> views;
        using (var keys = await crypto.LeaseKeysAsync(caller.AccountId, context.RequestAborted))
            views = await WebhookHistory.ViewsAsync(db, keys, key, context.RequestAborted);
        await audit.RecordAsync(caller.Entry(AuditActions.MessageCallbacksRead, "message", key), context.RequestAborted);
        return Results.Json(new Dictionary<string, object?>
        {
            ["api_id"] = ApiResults.ApiId(context),
            ["message_uuid"] = key,
            ["objects"] = views,
        });
    }

    static async Task<IResult> List(HttpContext context, ApiCaller caller, ContactoDbContext db, ITenantCrypto crypto, IAuditTrail audit, TimeProvider time)
    {
        var parameters = await ApiParameters.ReadAsync(context.Request, ListParameters);
        var paging = Paging.From(parameters);
        var range = TimeRange.From(parameters, "message_time");
        if (range is { After: null, Before: null })
            range = range with { After = time.GetUtcNow() - DefaultWindow, AfterInclusive = true };
        var query = range.Apply(db.Set<Message>().AsNoTracking(), m => m.CreatedAt);
        if (parameters.Choice("message_direction", [MessageDirections.Outbound, MessageDirections.Inbound]) is { } direction)
            query = query.Where(m => m.Direction == direction);
        if (parameters.Choice("message_state", MessageStates.All) is { } state)
            query = query.Where(m => m.State == state);
        if (parameters.Choice("message_type", Types) is { } type)
            query = query.Where(m => m.Type == type);
        if (parameters.String("error_code", 8) is { } errorCode)
            query = query.Where(m => m.ErrorCode == errorCode);
        if (parameters.String("destination_country_iso2", 2) is { } country)
            query = query.Where(m => m.DestinationCountry == country.ToUpperInvariant());
        if (await NumberFilters.IndexAsync(crypto, caller.AccountId, parameters, "from_number", context.RequestAborted) is { } fromIndex)
            query = query.Where(m => m.FromIndex == fromIndex);
        if (await NumberFilters.IndexAsync(crypto, caller.AccountId, parameters, "to_number", context.RequestAborted) is { } toIndex)
            query = query.Where(m => m.ToIndex == toIndex);

        var total = await query.CountAsync(context.RequestAborted);
        var page = await query.OrderByDescending(m => m.CreatedAt).ThenByDescending(m => m.Id).Skip(paging.Offset).Take(paging.Limit).ToListAsync(context.RequestAborted);
        var views = await ViewsAsync(crypto, caller.AccountId, caller.AuthId, page, context.RequestAborted);
        await audit.RecordAsync(caller.Entry(AuditActions.MessageListed, "message", null) with { Reason = $"{page.Count} of {total}" }, context.RequestAborted);
        return paging.Page(context.Request, views, total);
    }

    /// <summary>MDRs in Plivo's shape, numbers opened with the account's key.</summary>
    static async Task<List<Dictionary<string, object?>>> ViewsAsync(ITenantCrypto crypto, Guid accountId, string authId, IReadOnlyList<Message> messages, CancellationToken cancellationToken)
    {
        using var keys = await crypto.LeaseKeysAsync(accountId, cancellationToken);
        // Numbers go out as Plivo writes them (digits, no '+'); an alphanumeric sender as given.
        string? Number(Message message, string purpose, byte[]? sealedNumber, bool bare = true)
        {
            if (sealedNumber is null)
                return null;
            var value = Encoding.UTF8.GetString(keys.Open(purpose, message.Id, sealedNumber));
            return bare ? NumberPlan.Bare(value) : value;
        }
        return [.. messages.Select(m => new Dictionary<string, object?>
        {
            ["message_uuid"] = m.Id.ToString(),
            ["message_time"] = AuditEndpoints.Format(m.CreatedAt),
            ["message_direction"] = m.Direction,
            ["message_state"] = m.State,
            ["message_type"] = m.Type,
            ["from_number"] = Number(m, Message.FromPurpose, m.FromSealed, bare: !m.AlphanumericSender),
            ["to_number"] = Number(m, Message.ToPurpose, m.ToSealed),
            ["units"] = m.Units,
            ["total_rate"] = "0.00000",
            ["total_amount"] = "0.00000",
            ["error_code"] = m.ErrorCode,
            ["error_message"] = MessageErrors.Describe(m.ErrorCode),
            ["resource_uri"] = $"/v1/Account/{authId}/Message/{m.Id}/",
            ["mcc"] = null,
            ["mnc"] = null,
            ["powerpack_id"] = null,
            ["requester_ip"] = m.RequesterIp,
            ["is_domestic"] = false,
            ["destination_country_iso2"] = m.DestinationCountry,
            ["destination_network"] = null,
            ["carrier_fees"] = "0.00000",
            ["carrier_fees_rate"] = "0.00000",
            ["message_sent_time"] = m.SentAt is { } sent ? AuditEndpoints.Format(sent) : null,
            ["message_updated_time"] = AuditEndpoints.Format(m.UpdatedAt),
            ["log"] = m.LogOnly ?? (object)m.Log,
            ["tendlc_campaign_id"] = null,
            ["tendlc_registration_status"] = null,
            ["replaced_sender"] = null,
            ["conversation_id"] = null,
            ["conversation_origin"] = null,
            ["conversation_expiration_timestamp"] = null,
            ["dlt_entity_id"] = null,
            ["dlt_template_id"] = null,
            ["dlt_template_category"] = null,
        })];
    }
}
