using System.Net;

namespace Contacto.Audit;

/// <summary>Who acted: the kind, their id and Auth ID, and where from. Never a secret.</summary>
public sealed record AuditActor(ActorKind Kind, string? Id = null, string? AuthId = null, string? SourceAddress = null, string? UserAgent = null)
{
    public static readonly AuditActor System = new(ActorKind.System);
    public static readonly AuditActor Operator = new(ActorKind.Operator, Environment.UserName);
}

/// <summary>
/// What to record: an action on a resource of an account (null for the platform itself), by an
/// actor, with its outcome. Actions are stable dotted codes (see <see cref="AuditActions"/>).
/// </summary>
public sealed record AuditEntry(
    Guid? AccountId,
    AuditActor Actor,
    string Action,
    string? ResourceType = null,
    string? ResourceId = null,
    AuditOutcome Outcome = AuditOutcome.Success,
    string? Reason = null,
    string? RequestId = null);

/// <summary>The action codes; stored and filtered on, so never renamed.</summary>
public static class AuditActions
{
    public const string AuthSucceeded = "auth.succeeded";
    public const string AuthFailed = "auth.failed";
    public const string AuthThrottled = "auth.throttled";
    public const string AccountCreated = "account.created";
    public const string AccountRead = "account.read";
    public const string AccountUpdated = "account.updated";
    public const string AccountEnabled = "account.enabled";
    public const string AccountDisabled = "account.disabled";
    public const string AccountTokenRotated = "account.token_rotated";
    public const string SubaccountCreated = "subaccount.created";
    public const string SubaccountRead = "subaccount.read";
    public const string SubaccountListed = "subaccount.listed";
    public const string SubaccountUpdated = "subaccount.updated";
    public const string SubaccountDeleted = "subaccount.deleted";
    public const string AuditLogRead = "audit_log.read";
    public const string ApiLogRead = "api_log.read";
    public const string MessageQueued = "message.queued";
    public const string MessageRead = "message.read";
    public const string MessageListed = "message.listed";
    public const string NumberAdded = "number.added";
    public const string NumberRead = "number.read";
    public const string NumberListed = "number.listed";
    public const string NumberUpdated = "number.updated";
    public const string NumberUnrented = "number.unrented";
    public const string KeyOperationPrefix = "key.";
}

public static class AuditText
{
    /// <summary>Trims a free-text field to its column and drops control characters.</summary>
    public static string? Clip(string? value, int max) =>
        value is null ? null : new string(value.Where(c => !char.IsControl(c)).Take(max).ToArray());

    public static string? Address(IPAddress? address) => address?.IsIPv4MappedToIPv6 == true ? address.MapToIPv4().ToString() : address?.ToString();
}
