using System.Globalization;
using System.Text;
using Contacto.Api;
using Contacto.Audit;
using Contacto.Crypto;
using Contacto.Storage;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.EntityFrameworkCore;

namespace Contacto.Recordings;

/// <summary>Plivo's Recording API: get, list and delete recordings, and their audio for the owner.</summary>
internal static class RecordingEndpoints
{
    static readonly string[] ListParameters = [.. Paging.ParameterNames, .. TimeRange.ParameterNames("add_time"), "call_uuid", "subaccount"];

    public static void MapContactoRecordings(this RouteGroupBuilder api)
    {
        api.MapGet("/Recording/", List);
        api.MapGet("/Recording/{recording_id}/", Get);
        api.MapDelete("/Recording/{recording_id}/", Delete);
        api.MapGet("/Recording/{recording_id}.wav", Audio);
    }

    static async Task<Recording> FindAsync(ContactoDbContext db, string recordingId, CancellationToken cancellationToken) =>
        Guid.TryParse(recordingId, out var id)
            ? await db.Set<Recording>().SingleOrDefaultAsync(r => r.Id == id, cancellationToken) ?? throw ApiException.NotFound()
            : throw ApiException.NotFound();

    static async Task<IResult> Get(HttpContext context, ApiCaller caller, ContactoDbContext db, ITenantCrypto crypto, RecordingCatalog catalog, IAuditTrail audit, string recording_id)
    {
        await ApiParameters.ReadAsync(context.Request, []);
        var recording = await FindAsync(db, recording_id, context.RequestAborted);
        var view = (await ViewsAsync(crypto, catalog, caller, [recording], context.RequestAborted))[0];
        view["api_id"] = ApiResults.ApiId(context);
        await audit.RecordAsync(caller.Entry(AuditActions.RecordingRead, "recording", recording.Id.ToString()), context.RequestAborted);
        return Results.Json(view);
    }

    static async Task<IResult> List(HttpContext context, ApiCaller caller, ContactoDbContext db, ITenantCrypto crypto, RecordingCatalog catalog, IAuditTrail audit)
    {
        var parameters = await ApiParameters.ReadAsync(context.Request, ListParameters);
        if (parameters.Has("subaccount"))
            throw ApiException.BadRequest("subaccount is not supported yet: list with the subaccount's own credentials");
        var paging = Paging.From(parameters);
        var query = TimeRange.From(parameters, "add_time").Apply(db.Set<Recording>().AsNoTracking(), r => r.AddedAt);
        if (parameters.String("call_uuid", 36) is { } call)
            query = Guid.TryParse(call, out var callId) ? query.Where(r => r.CallId == callId) : throw ApiException.BadRequest("call_uuid must be a call's uuid");
        var total = await query.CountAsync(context.RequestAborted);
        var page = await query.OrderByDescending(r => r.AddedAt).ThenByDescending(r => r.Id).Skip(paging.Offset).Take(paging.Limit).ToListAsync(context.RequestAborted);
        var views = await ViewsAsync(crypto, catalog, caller, page, context.RequestAborted);
        await audit.RecordAsync(caller.Entry(AuditActions.RecordingListed, "recording", null) with { Reason = $"{page.Count} of {total}" }, context.RequestAborted);
        return paging.Page(context.Request, views, total);
    }

    static async Task<IResult> Delete(HttpContext context, ApiCaller caller, ContactoDbContext db, RecordingCatalog catalog, IAuditTrail audit, string recording_id)
    {
        await ApiParameters.ReadAsync(context.Request, []);
        var recording = await FindAsync(db, recording_id, context.RequestAborted);
        // Recorded before it is done: an audit trail that cannot record stops the deletion.
        await audit.RecordAsync(caller.Entry(AuditActions.RecordingDeleted, "recording", recording.Id.ToString()), context.RequestAborted);
        await catalog.DeleteAsync(db, recording, context.RequestAborted);
        return Results.NoContent();
    }

    /// <summary>The audio, opened as it streams; only for the account that owns it.</summary>
    static async Task Audio(HttpContext context, ApiCaller caller, ContactoDbContext db, RecordingCatalog catalog, IAuditTrail audit, string recording_id)
    {
        await ApiParameters.ReadAsync(context.Request, []);
        var recording = await FindAsync(db, recording_id, context.RequestAborted);
        await audit.RecordAsync(caller.Entry(AuditActions.RecordingRead, "recording", recording.Id.ToString()) with { Reason = "audio" }, context.RequestAborted);
        try
        {
            await catalog.WriteWavAsync(recording, context.Response, context.RequestAborted);
        }
        catch (InvalidDataException)
        {
            // Part of the file is out already: end the response short, so the client sees it broken rather than whole.
            context.Abort();
        }
    }

    static async Task<List<Dictionary<string, object?>>> ViewsAsync(ITenantCrypto crypto, RecordingCatalog catalog, ApiCaller caller, IReadOnlyList<Recording> recordings, CancellationToken cancellationToken)
    {
        using var keys = await crypto.LeaseKeysAsync(caller.AccountId, cancellationToken);
        return [.. recordings.Select(r =>
        {
            string Number(string purpose, byte[]? sealedNumber) =>
                sealedNumber is null ? "" : Encoding.UTF8.GetString(keys.Open(purpose, r.Id, sealedNumber)).TrimStart('+');
            string Milliseconds(double value) => value.ToString("F5", CultureInfo.InvariantCulture);
            return new Dictionary<string, object?>
            {
                ["add_time"] = r.AddedAt.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss.ffffff'+00:00'", CultureInfo.InvariantCulture),
                ["call_uuid"] = r.CallId.ToString(),
                ["conference_name"] = null,
                ["recording_id"] = r.Id.ToString(),
                ["recording_type"] = "normal",
                ["recording_format"] = "wav",
                ["recording_duration_ms"] = Milliseconds(r.Duration.TotalMilliseconds),
                ["recording_start_ms"] = Milliseconds(r.StartedAt.ToUnixTimeMilliseconds()),
                ["recording_end_ms"] = Milliseconds(r.EndedAt.ToUnixTimeMilliseconds()),
                ["recording_url"] = catalog.Url(caller.AuthId, r.Id),
                ["resource_uri"] = $"/v1/Account/{caller.AuthId}/Recording/{r.Id}/",
                ["from_number"] = Number(Recording.FromPurpose, r.FromSealed),
                ["to_number"] = Number(Recording.ToPurpose, r.ToSealed),
                ["rounded_recording_duration"] = (int)Math.Ceiling(r.Duration.TotalMinutes) * 60,
                ["recording_storage_duration"] = (int)(DateTimeOffset.UtcNow - r.AddedAt).TotalDays,
                ["recording_storage_rate"] = "0.00000",
                ["monthly_recording_storage_amount"] = "0.00000",
            };
        })];
    }
}
