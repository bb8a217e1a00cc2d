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
    public const string MessageReceived = "message.received";
    public const string MessageCallbacksRead = "message.callbacks_read";
    public const string CallQueued = "call.queued";
    public const string CallRead = "call.read";
    public const string CallListed = "call.listed";
    public const string CallHungUp = "call.hung_up";
    public const string CallCancelled = "call.cancelled";
    public const string CallTransferred = "call.transferred";
    public const string CallPlayed = "call.played";
    public const string CallSpoken = "call.spoken";
    public const string CallPlayStopped = "call.play_stopped";
    public const string CallDigitsSent = "call.digits_sent";
    public const string CallRecordingStarted = "call.recording_started";
    public const string CallRecordingStopped = "call.recording_stopped";
    public const string RecordingRead = "recording.read";
    public const string RecordingListed = "recording.listed";
    public const string RecordingDeleted = "recording.deleted";
    public const string NumberAdded = "number.added";
    public const string NumberRead = "number.read";
    public const string NumberListed = "number.listed";
    public const string NumberUpdated = "number.updated";
    public const string NumberUnrented = "number.unrented";
    public const string KeyOperationPrefix = "key.";
    public const string ApplicationCreated = "application.created";
    public const string ApplicationRead = "application.read";
    public const string ApplicationListed = "application.listed";
    public const string ApplicationUpdated = "application.updated";
    public const string ApplicationDeleted = "application.deleted";
    public const string WebhookSettingsRead = "webhook_settings.read";
    public const string WebhookSettingsUpdated = "webhook_settings.updated";
    public const string AccountTokenRevealed = "account.token_revealed";
    public const string ConsolePasswordAccepted = "console.sign_in.password_accepted";
    public const string ConsoleSignInSucceeded = "console.sign_in.succeeded";
    public const string ConsoleSignInFailed = "console.sign_in.failed";
    public const string ConsoleSignInThrottled = "console.sign_in.throttled";
    public const string ConsoleSecondFactorSucceeded = "console.second_factor.succeeded";
    public const string ConsoleSecondFactorFailed = "console.second_factor.failed";
    public const string ConsoleReauthenticated = "console.reauthenticated";
    public const string ConsoleSignedOut = "console.signed_out";
    public const string ConsoleSessionsRevoked = "console.sessions_revoked";
    public const string ConsoleUserInvited = "console_user.invited";
    public const string ConsoleUserJoined = "console_user.joined";
    public const string ConsoleUserDisabled = "console_user.disabled";
    public const string ConsoleUsersListed = "console_user.listed";
    public const string ConsoleTotpEnrolled = "console_user.totp_enrolled";
    public const string ConsoleSsoAccepted = "console.sign_in.sso_accepted";
    public const string ConsoleSsoFailed = "console.sign_in.sso_failed";
    public const string ConsoleSsoLinked = "console_user.sso_linked";
    public const string ConsoleSsoUpdated = "console_sso.updated";
    public const string ConsoleSsoRead = "console_sso.read";
    public const string ConsolePasskeyAdded = "console_user.passkey_added";
    public const string ConsolePasskeyRemoved = "console_user.passkey_removed";
    public const string ConsoleTotpReplaced = "console_user.totp_replaced";
    public const string ConsoleRecoveryCodesRegenerated = "console_user.recovery_codes_regenerated";
}

internal static class AuditText
{
    /// <summary>Trims a free-text field to its column and drops control characters.</summary>
    public static string? Clip(string? value, int max) =>
        value is null ? null : new string(value.Where(c => !char.IsControl(c)).Take(max).ToArray());

    public static string? Address(IPAddress? address) => address?.IsIPv4MappedToIPv6 == true ? address.MapToIPv4().ToString() : address?.ToString();
}
