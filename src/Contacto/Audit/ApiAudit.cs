using Contacto.Api;

namespace Contacto.Audit;

/// <summary>Audit records of account API requests: the caller's credential, source address and user agent as the actor.</summary>
internal static class ApiAudit
{
    extension(ApiCaller caller)
    {
        public AuditActor Actor => new(ActorKind.ApiCredential, caller.AccountId.ToString(), caller.AuthId,
            AuditText.Address(caller.Source), caller.UserAgent);

        /// <summary>An entry in <paramref name="accountId"/>'s chain (by default the caller's own) with this request as its actor.</summary>
        public AuditEntry Entry(string action, string resourceType, string? resourceId, Guid? accountId = null) =>
            new(accountId ?? caller.AccountId, caller.Actor, action, resourceType, resourceId, RequestId: caller.RequestId);
    }
}
