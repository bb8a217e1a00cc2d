using Contacto.Api;
using Contacto.Audit;
using Microsoft.AspNetCore.Http;

namespace Contacto.Auth;

/// <summary>Audit records for API requests: the caller as actor, with address, user agent and the request's api_id.</summary>
public static class ApiAudit
{
    public static AuditActor Actor(HttpContext context)
    {
        var caller = ApiAuthentication.Caller(context);
        return new AuditActor(ActorKind.ApiCredential, caller.AccountId.ToString(), caller.AuthId,
            AuditText.Address(context.Connection.RemoteIpAddress), context.Request.Headers.UserAgent.ToString());
    }

    /// <summary>An entry in <paramref name="accountId"/>'s chain (by default the caller's own).</summary>
    public static AuditEntry Entry(HttpContext context, string action, string resourceType, string? resourceId, Guid? accountId = null) =>
        new(accountId ?? ApiAuthentication.Caller(context).AccountId, Actor(context), action, resourceType, resourceId,
            RequestId: ApiResults.ApiId(context));
}
