using System.Net;

namespace Contacto.Audit;

internal enum SecurityEventKind
{
    AuthenticationSucceeded,
    AuthenticationFailed,
    AuthenticationThrottled,
}

/// <summary>Who tried what from where. Never carries a secret: no token, no password.</summary>
internal sealed record SecurityEvent(
    SecurityEventKind Kind,
    string? AuthId,
    Guid? AccountId,
    IPAddress? SourceAddress,
    string? UserAgent,
    string Reason);

/// <summary>Where security events go: the audit trail (failures tallied per source and minute).</summary>
internal interface ISecurityEventSink
{
    ValueTask RecordAsync(SecurityEvent securityEvent, CancellationToken cancellationToken);
}
