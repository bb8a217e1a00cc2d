using System.Globalization;
using Contacto.Api;
using Contacto.Auth;
using Contacto.Storage;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.EntityFrameworkCore;

namespace Contacto.Audit;

/// <summary>Extensions: the account's own audit trail and API request log, in Plivo's list shape.</summary>
public static class AuditEndpoints
{
    static readonly Dictionary<string, ActorKind> ActorKinds = new()
    {
        ["system"] = ActorKind.System,
        ["api_credential"] = ActorKind.ApiCredential,
        ["console_user"] = ActorKind.ConsoleUser,
        ["staff"] = ActorKind.Staff,
        ["operator"] = ActorKind.Operator,
    };

    static readonly string[] AuditLogParameters =
        [.. Paging.ParameterNames, .. TimeRange.ParameterNames("time"), "actor_kind", "action", "resource_type", "resource_id"];

    static readonly string[] ApiLogParameters = [.. Paging.ParameterNames, .. TimeRange.ParameterNames("time"), "method", "status"];

    public static void MapAudit(this RouteGroupBuilder api)
    {
        api.MapGet("/AuditLog/", ListAuditLog);
        api.MapGet("/ApiLog/", ListApiLog);
    }

    static async Task<IResult> ListAuditLog(HttpContext context, ApiCaller caller, ContactoDbContext db, IAuditTrail audit)
    {
        var parameters = await ApiParameters.ReadAsync(context.Request, AuditLogParameters);
        var paging = Paging.From(parameters);
        var query = TimeRange.From(parameters, "time").Apply(db.Set<AuditRecord>().AsNoTracking(), r => r.OccurredAt);
        if (parameters.Choice("actor_kind", ActorKinds.Keys) is { } kind)
        {
            var actorKind = ActorKinds[kind];
            query = query.Where(r => r.ActorKind == actorKind);
        }
        if (parameters.String("action", 64) is { } action)
            query = query.Where(r => r.Action == action);
        if (parameters.String("resource_type", 32) is { } type)
            query = query.Where(r => r.ResourceType == type);
        if (parameters.String("resource_id", 64) is { } id)
            query = query.Where(r => r.ResourceId == id);

        var total = await query.CountAsync(context.RequestAborted);
        var page = await query.OrderByDescending(r => r.Sequence).Skip(paging.Offset).Take(paging.Limit).ToListAsync(context.RequestAborted);
        await audit.RecordAsync(caller.Entry(AuditActions.AuditLogRead, "audit_log", null), context.RequestAborted);
        return paging.Page(context.Request, page.Select(r => new
        {
            id = r.Id,
            sequence = r.Sequence,
            time = Format(r.OccurredAt),
            actor = new
            {
                kind = ActorKinds.Single(k => k.Value == r.ActorKind).Key,
                id = r.ActorId,
                auth_id = r.ActorAuthId,
                source_address = r.SourceAddress,
                user_agent = r.UserAgent,
            },
            action = r.Action,
            resource_type = r.ResourceType,
            resource_id = r.ResourceId,
            outcome = r.Outcome.ToString().ToLowerInvariant(),
            reason = r.Reason,
            request_id = r.RequestId,
        }).ToList(), total);
    }

    static async Task<IResult> ListApiLog(HttpContext context, ApiCaller caller, ContactoDbContext db, IAuditTrail audit)
    {
        var parameters = await ApiParameters.ReadAsync(context.Request, ApiLogParameters);
        var paging = Paging.From(parameters);
        var query = TimeRange.From(parameters, "time").Apply(db.Set<ApiLogRecord>().AsNoTracking(), r => r.At);
        if (parameters.Choice("method", ["GET", "POST", "DELETE", "PUT", "PATCH"]) is { } method)
            query = query.Where(r => r.Method == method);
        if (parameters.Integer("status", 100, 599) is { } status)
            query = query.Where(r => r.Status == status);

        var total = await query.CountAsync(context.RequestAborted);
        var page = await query.OrderByDescending(r => r.At).ThenByDescending(r => r.Id).Skip(paging.Offset).Take(paging.Limit).ToListAsync(context.RequestAborted);
        await audit.RecordAsync(caller.Entry(AuditActions.ApiLogRead, "api_log", null), context.RequestAborted);
        return paging.Page(context.Request, page.Select(r => new
        {
            api_id = r.ApiId,
            time = Format(r.At),
            method = r.Method,
            path = r.Path,
            status = r.Status,
            latency_ms = Math.Round(r.LatencyMs, 3),
            source_address = r.SourceAddress,
            auth_id = r.AuthId,
        }).ToList(), total);
    }

    /// <summary>Plivo's time format, in UTC with microseconds.</summary>
    public static string Format(DateTimeOffset instant) =>
        instant.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss.ffffff'+00:00'", CultureInfo.InvariantCulture);
}
