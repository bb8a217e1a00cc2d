using System.Globalization;
using System.Text;
using Contacto.Api;
using Contacto.Crypto;
using Contacto.Storage;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.EntityFrameworkCore;

namespace Contacto.Audit;

/// <summary>Extensions: the account's own audit trail and API request log, in Plivo's list shape.</summary>
internal static class AuditEndpoints
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

    static readonly string[] ProofParameters = ["record_id", "tree_size", "first", "second"];

    public static void MapContactoAudit(this RouteGroupBuilder api)
    {
        api.MapGet("/AuditLog/", ListAuditLog);
        api.MapGet("/AuditLog/Head/", GetHead);
        api.MapGet("/AuditLog/Proof/", GetProof);
        api.MapGet("/ApiLog/", ListApiLog);
    }

    /// <summary>The newest signed tree head of the caller's trail, with the key to check it.</summary>
    static async Task<IResult> GetHead(HttpContext context, ApiCaller caller, ContactoDbContext db, IAuditTrail audit, AuditHeadKey key)
    {
        await ApiParameters.ReadAsync(context.Request, []);
        var head = await NewestHeadAsync(db, context.RequestAborted);
        await audit.RecordAsync(caller.Entry(AuditActions.AuditLogRead, "audit_log_head", null), context.RequestAborted);
        return Results.Json(new
        {
            api_id = ApiResults.ApiId(context),
            account_id = head.AccountId,
            tree_size = head.TreeSize,
            timestamp = head.Timestamp,
            time = Format(DateTimeOffset.FromUnixTimeMilliseconds(head.Timestamp)),
            root_hash = Convert.ToBase64String(head.RootHash),
            signed_data = Convert.ToBase64String(head.SignedData()),
            signature = Convert.ToBase64String(head.Signature),
            signature_algorithm = AuditHeadKey.Algorithm,
            key_id = key.KeyId,
            public_key = key.PublicKeyPem,
        });
    }

    /// <summary>
    /// RFC 9162 proofs against the caller's tree: with <c>record_id</c> (and <c>tree_size</c>,
    /// by default the newest signed size) that the record is its leaf; with <c>first</c> (and
    /// <c>second</c>, by default the newest signed size) that the tree of <c>first</c> records is
    /// a prefix of the tree of <c>second</c>.
    /// </summary>
    static async Task<IResult> GetProof(HttpContext context, ApiCaller caller, ContactoDbContext db, IAuditTrail audit)
    {
        var parameters = await ApiParameters.ReadAsync(context.Request, ProofParameters);
        var inclusion = parameters.Has("record_id") || parameters.Has("tree_size");
        var consistency = parameters.Has("first") || parameters.Has("second");
        if (inclusion == consistency)
            throw ApiException.BadRequest("give record_id (and tree_size) for an inclusion proof, or first (and second) for a consistency proof");
        var chainId = caller.AccountId;
        var signedSize = (await NewestHeadAsync(db, context.RequestAborted)).TreeSize;
        object proof;
        if (inclusion)
        {
            if (!Guid.TryParse(parameters.String("record_id", 36, required: true), out var recordId))
                throw ApiException.BadRequest("record_id must be the id of a record of the audit log");
            var record = await db.Set<AuditRecord>().AsNoTracking().SingleOrDefaultAsync(r => r.Id == recordId, context.RequestAborted)
                         ?? throw ApiException.NotFound();
            var size = parameters.Integer("tree_size", 1, signedSize) ?? signedSize;
            if (record.Sequence > size)
                throw ApiException.BadRequest($"record {record.Sequence} is not in the tree of size {size}");
            var path = MerkleTree.InclusionPath(record.Sequence - 1, size);
            var leaf = AuditMac.LeafInput(record);
            proof = new
            {
                api_id = ApiResults.ApiId(context),
                record_id = record.Id,
                leaf_index = record.Sequence - 1,
                tree_size = size,
                leaf_input = Convert.ToBase64String(leaf),
                leaf_hash = Convert.ToBase64String(MerkleTree.LeafHash(leaf)),
                audit_path = await HashesAsync(db, chainId, path, context.RequestAborted),
            };
        }
        else
        {
            var first = parameters.Integer("first", 1, signedSize) ?? throw ApiException.BadRequest("first is required");
            var second = parameters.Integer("second", first, signedSize) ?? signedSize;
            proof = new
            {
                api_id = ApiResults.ApiId(context),
                first,
                second,
                consistency_path = await HashesAsync(db, chainId, MerkleTree.ConsistencyPath(first, second), context.RequestAborted),
            };
        }
        await audit.RecordAsync(caller.Entry(AuditActions.AuditLogRead, "audit_log_proof", null), context.RequestAborted);
        return Results.Json(proof);
    }

    static async Task<AuditTreeHead> NewestHeadAsync(ContactoDbContext db, CancellationToken cancellationToken)
    {
        return await db.Set<AuditTreeHead>().AsNoTracking().OrderByDescending(h => h.TreeSize).FirstOrDefaultAsync(cancellationToken)
               ?? throw new ApiException(StatusCodes.Status404NotFound, "no signed head yet: heads are signed every Audit:CheckpointInterval");
    }

    static async Task<string[]> HashesAsync(ContactoDbContext db, Guid chainId, List<(long Start, long End)> ranges, CancellationToken cancellationToken)
    {
        var tiles = await AuditTreeTiles.LoadAsync(db, chainId, ranges.SelectMany(r => MerkleTree.PerfectSubtrees(r.Start, r.End)), cancellationToken);
        return ranges.Select(r => Convert.ToBase64String(tiles.RangeHash(r.Start, r.End))).ToArray();
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

    static async Task<IResult> ListApiLog(HttpContext context, ApiCaller caller, ContactoDbContext db, IAuditTrail audit, ITenantCrypto crypto)
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
        using var keys = await crypto.LeaseKeysAsync(caller.AccountId, context.RequestAborted);
        return paging.Page(context.Request, page.Select(r => new
        {
            api_id = r.ApiId,
            time = Format(r.At),
            method = r.Method,
            route = r.Route,
            // A route with no values of its own but the Auth ID is its path, given whose request it was.
            path = r.PathSealed is null ? r.Route?.Replace("{auth_id}", r.AuthId) : Encoding.UTF8.GetString(keys.Open(ApiLogRecord.PathPurpose, r.Id, r.PathSealed)),
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
