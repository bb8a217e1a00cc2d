using System.Text;
using Contacto.Api;
using Contacto.Audit;
using Contacto.Crypto;
using Contacto.Numbers;
using Contacto.Storage;
using Contacto.Webhooks;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.EntityFrameworkCore;

namespace Contacto.Voice;

/// <summary>
/// Plivo's Call API: make a call (201 with its request id), CDRs, live and queued calls, hang up
/// a live call, cancel a queued request.
/// </summary>
internal static class CallEndpoints
{
    static readonly string[] Methods = ["GET", "POST"];
    static readonly string[] MakeParameters =
    [
        "from", "to", "answer_url", "answer_method", "hangup_url", "hangup_method", "fallback_url", "fallback_method",
        "ring_url", "ring_method", "caller_name", "ring_timeout", "time_limit",
        // Known, so that each gets its own clear refusal until it is supported.
        "machine_detection", "machine_detection_time", "machine_detection_url", "machine_detection_method", "send_digits",
        "send_on_preanswer", "hangup_on_ring", "sip_headers",
    ];
    static readonly string[] Unsupported =
        ["machine_detection", "machine_detection_time", "machine_detection_url", "machine_detection_method", "send_digits", "send_on_preanswer", "hangup_on_ring", "sip_headers"];
    static readonly string[] ListParameters =
    [
        .. Paging.ParameterNames, .. TimeRange.ParameterNames("end_time"), "status", "call_direction", "from_number", "to_number",
        "hangup_cause_code", "hangup_source", "subaccount",
    ];
    static readonly string[] LiveOrQueued = ["live", "queued"];

    /// <summary>Without an end_time bound, CDR lists cover the last 7 days, as Plivo's do.</summary>
    static readonly TimeSpan DefaultWindow = TimeSpan.FromDays(7);

    public static void MapContactoVoice(this RouteGroupBuilder api)
    {
        api.MapPost("/Call/", Make);
        api.MapGet("/Call/", List);
        // Also without the slash, as the SDK asks for a live or queued call: routing takes either.
        api.MapGet("/Call/{call_uuid}/", Get);
        api.MapDelete("/Call/{call_uuid}/", HangUp);
        api.MapDelete("/Request/{request_uuid}/", Cancel);
        api.MapCallControls();
    }

    static async Task<IResult> Make(HttpContext context, ApiCaller caller, ContactoDbContext db, CallService calls, OutboundUrlPolicy policy)
    {
        var parameters = await ApiParameters.ReadAsync(context.Request, MakeParameters);
        if (Unsupported.FirstOrDefault(parameters.Has) is { } unsupported)
            throw ApiException.BadRequest($"{unsupported} is not supported yet");
        async Task<string?> Url(string name, bool required = false)
        {
            var url = parameters.String(name, 2048, required);
            return url is not null && await policy.ProblemWhenSavedAsync(url, context.RequestAborted) is { } problem
                ? throw ApiException.BadRequest($"{name} {problem}")
                : url;
        }
        var request = new PlaceCallRequest(
            parameters.String("from", 32, required: true)!,
            parameters.String("to", 32 * CallService.MaxDestinations, required: true)!,
            (await Url("answer_url", required: true))!,
            parameters.Choice("answer_method", Methods) ?? "POST",
            await Url("hangup_url"),
            parameters.Choice("hangup_method", Methods) ?? "POST",
            await Url("fallback_url"),
            parameters.Choice("fallback_method", Methods) ?? "POST",
            await Url("ring_url"),
            parameters.Choice("ring_method", Methods) ?? "POST",
            parameters.String("caller_name", 50),
            (int)(parameters.Integer("ring_timeout", 5, 120) ?? 60),
            (int)(parameters.Integer("time_limit", 1, 14400) ?? 14400));
        var requestId = await calls.PlaceAsync(db, caller.AccountId, request, caller.Entry(AuditActions.CallQueued, "call", null),
            AuditText.Address(context.Connection.RemoteIpAddress), context.RequestAborted);
        return Results.Json(new Dictionary<string, object>
        {
            ["api_id"] = ApiResults.ApiId(context),
            ["message"] = "call fired",
            ["request_uuid"] = requestId.ToString(),
        }, statusCode: StatusCodes.Status201Created);
    }

    static async Task<IResult> List(HttpContext context, ApiCaller caller, ContactoDbContext db, ITenantCrypto crypto, IAuditTrail audit, TimeProvider time)
    {
        var parameters = await ApiParameters.ReadAsync(context.Request, ListParameters);
        if (parameters.Choice("status", LiveOrQueued) is { } status)
        {
            var ids = await db.Set<Call>().AsNoTracking().Where(StatusFilter(status)).OrderBy(c => c.CreatedAt).Select(c => c.Id).Take(1000).ToListAsync(context.RequestAborted);
            await audit.RecordAsync(caller.Entry(AuditActions.CallListed, "call", null) with { Reason = $"{status}: {ids.Count}" }, context.RequestAborted);
            return Results.Json(new Dictionary<string, object> { ["api_id"] = ApiResults.ApiId(context), ["calls"] = ids.Select(i => i.ToString()) });
        }
        var paging = Paging.From(parameters);
        var range = TimeRange.From(parameters, "end_time");
        if (range is { After: null, Before: null })
            range = range with { After = time.GetUtcNow() - DefaultWindow, AfterInclusive = true };
        var query = range.Apply(db.Set<Call>().AsNoTracking().Where(c => c.EndedAt != null), c => c.EndedAt!.Value);
        if (parameters.Choice("call_direction", [CallDirections.Outbound, CallDirections.Inbound]) is { } direction)
            query = query.Where(c => c.Direction == direction);
        if (parameters.Integer("hangup_cause_code", 0, 99_999) is { } code)
            query = query.Where(c => c.HangupCauseCode == code);
        if (parameters.Choice("hangup_source", [HangupSources.Caller, HangupSources.Callee, HangupSources.Plivo, HangupSources.ApiRequest,
                HangupSources.AnswerXml, HangupSources.Error, HangupSources.Unknown]) is { } source)
            query = query.Where(c => c.HangupSource == source);
        if (await NumberFilters.IndexAsync(crypto, caller.AccountId, parameters, "from_number", context.RequestAborted) is { } fromIndex)
            query = query.Where(c => c.FromIndex == fromIndex);
        if (await NumberFilters.IndexAsync(crypto, caller.AccountId, parameters, "to_number", context.RequestAborted) is { } toIndex)
            query = query.Where(c => c.ToIndex == toIndex);
        if (parameters.Has("subaccount"))
            throw ApiException.BadRequest("subaccount is not supported yet: list with the subaccount's own credentials");

        var total = await query.CountAsync(context.RequestAborted);
        var page = await query.OrderByDescending(c => c.EndedAt).ThenByDescending(c => c.Id).Skip(paging.Offset).Take(paging.Limit).ToListAsync(context.RequestAborted);
        var views = await ViewsAsync(crypto, caller, page, context.RequestAborted);
        await audit.RecordAsync(caller.Entry(AuditActions.CallListed, "call", null) with { Reason = $"{page.Count} of {total}" }, context.RequestAborted);
        return paging.Page(context.Request, views, total);
    }

    static System.Linq.Expressions.Expression<Func<Call, bool>> StatusFilter(string status) => status == "queued"
        ? c => c.State == CallStates.Queued
        : c => c.State == CallStates.Ringing || c.State == CallStates.InProgress;

    static async Task<IResult> Get(HttpContext context, ApiCaller caller, ContactoDbContext db, ITenantCrypto crypto, IAuditTrail audit, string call_uuid)
    {
        var parameters = await ApiParameters.ReadAsync(context.Request, ["status"]);
        var status = parameters.Choice("status", LiveOrQueued);
        if (!Guid.TryParse(call_uuid, out var id))
            throw ApiException.NotFound();
        var query = db.Set<Call>().AsNoTracking().Where(c => c.Id == id);
        query = status is null ? query.Where(c => c.EndedAt != null) : query.Where(StatusFilter(status));
        var call = await query.SingleOrDefaultAsync(context.RequestAborted) ?? throw ApiException.NotFound();
        var view = status is null
            ? (await ViewsAsync(crypto, caller, [call], context.RequestAborted))[0]
            : await LiveViewAsync(crypto, call, context.RequestAborted);
        view["api_id"] = ApiResults.ApiId(context);
        await audit.RecordAsync(caller.Entry(AuditActions.CallRead, "call", call.Id.ToString()), context.RequestAborted);
        return Results.Json(view);
    }

    static async Task<IResult> HangUp(HttpContext context, ApiCaller caller, ContactoDbContext db, LiveCalls live, IAuditTrail audit, string call_uuid)
    {
        await ApiParameters.ReadAsync(context.Request, []);
        if (!Guid.TryParse(call_uuid, out var id) || !await db.Set<Call>().AnyAsync(c => c.Id == id && (c.State == CallStates.Ringing || c.State == CallStates.InProgress), context.RequestAborted))
            throw ApiException.NotFound();
        // Recorded before it is done: an audit trail that cannot record stops the hangup.
        await audit.RecordAsync(caller.Entry(AuditActions.CallHungUp, "call", id.ToString()), context.RequestAborted);
        if (!live.TryEnd(id, new AppEnd(HangupCause.NormalHangup, HangupSources.ApiRequest)))
            throw new ApiException(StatusCodes.Status503ServiceUnavailable, "the call runs on another node; try again", TimeSpan.FromSeconds(1));
        return Results.NoContent();
    }

    static async Task<IResult> Cancel(HttpContext context, ApiCaller caller, ContactoDbContext db, LiveCalls live, CallRecords records, ITenantCrypto crypto, IAuditTrail audit, string request_uuid)
    {
        await ApiParameters.ReadAsync(context.Request, []);
        if (!Guid.TryParse(request_uuid, out var requestId))
            throw ApiException.NotFound();
        var calls = await db.Set<Call>().AsNoTracking().Where(c => c.RequestId == requestId && c.EndedAt == null).ToListAsync(context.RequestAborted);
        if (calls.Count == 0)
            throw ApiException.NotFound();
        await audit.RecordAsync(caller.Entry(AuditActions.CallCancelled, "call_request", requestId.ToString()), context.RequestAborted);
        var cancelled = new AppEnd(HangupCause.Cancelled, HangupSources.ApiRequest);
        foreach (var call in calls)
        {
            if (call.State == CallStates.Queued)
                await records.FinishAsync(await OpenedCall.OpenAsync(crypto, call, context.RequestAborted), cancelled.Cause, cancelled.Source, context.RequestAborted);
            else
                live.TryEnd(call.Id, cancelled);
        }
        return Results.NoContent();
    }

    /// <summary>CDRs in Plivo's shape, numbers opened with the account's key.</summary>
    static async Task<List<Dictionary<string, object?>>> ViewsAsync(ITenantCrypto crypto, ApiCaller caller, IReadOnlyList<Call> calls, CancellationToken cancellationToken)
    {
        using var keys = await crypto.LeaseKeysAsync(caller.AccountId, cancellationToken);
        return [.. calls.Select(c =>
        {
            string? Number(string purpose, byte[]? sealedNumber) =>
                sealedNumber is null ? null : NumberPlan.Bare(Encoding.UTF8.GetString(keys.Open(purpose, c.Id, sealedNumber)));
            return new Dictionary<string, object?>
            {
                ["call_uuid"] = c.Id.ToString(),
                ["parent_call_uuid"] = null,
                ["call_direction"] = c.Direction,
                ["call_state"] = c.State,
                ["from_number"] = Number(Call.FromPurpose, c.FromSealed),
                ["to_number"] = Number(Call.ToPurpose, c.ToSealed),
                ["initiation_time"] = CallTimes.Format(c.CreatedAt),
                ["answer_time"] = c.AnsweredAt is { } answered ? CallTimes.Format(answered) : null,
                ["end_time"] = c.EndedAt is { } ended ? CallTimes.Format(ended) : null,
                ["call_duration"] = c.BillDurationSeconds,
                ["bill_duration"] = c.BillDurationSeconds,
                ["billed_duration"] = c.BillDurationSeconds == 0 ? 0 : (c.BillDurationSeconds + 59) / 60 * 60,
                ["total_amount"] = "0.00000",
                ["total_rate"] = "0.00000",
                ["hangup_cause_name"] = c.HangupCauseName,
                ["hangup_cause_code"] = c.HangupCauseCode,
                ["hangup_source"] = c.HangupSource,
                ["resource_uri"] = $"/v1/Account/{caller.AuthId}/Call/{c.Id}/",
                ["stir_verification"] = "Not Applicable",
                ["stir_attestation"] = "",
                ["source_ip"] = c.RequesterIp,
                ["cnam_lookup"] = null,
                ["voice_network_group"] = null,
                ["conference_uuid"] = null,
                ["request_uuid"] = c.RequestId.ToString(),
                ["carrier"] = c.Carrier,
                ["jitter_ms"] = c.JitterMilliseconds,
                ["packet_loss"] = c.PacketLossFraction,
            };
        })];
    }

    static async Task<Dictionary<string, object?>> LiveViewAsync(ITenantCrypto crypto, Call call, CancellationToken cancellationToken)
    {
        var opened = await OpenedCall.OpenAsync(crypto, call, cancellationToken);
        var view = new Dictionary<string, object?>
        {
            ["call_uuid"] = call.Id.ToString(),
            ["call_status"] = call.State,
            ["caller_name"] = opened.CallerName,
            ["direction"] = call.Direction,
            ["from"] = NumberPlan.Bare(opened.From),
            ["to"] = NumberPlan.Bare(opened.To),
            ["request_uuid"] = call.RequestId.ToString(),
            ["stir_verification"] = "Not Applicable",
            ["stir_attestation"] = "",
        };
        if (call.State != CallStates.Queued)
            view["session_start"] = call.AnsweredAt is { } answered ? CallTimes.Format(answered) : null;
        return view;
    }
}
