using System.Net;
using Microsoft.Extensions.Logging;

namespace Contacto.Auth;

public enum SecurityEventKind
{
    AuthenticationSucceeded,
    AuthenticationFailed,
    AuthenticationThrottled,
}

/// <summary>Who tried what from where. Never carries a secret: no token, no password.</summary>
public sealed record SecurityEvent(
    SecurityEventKind Kind,
    string? AuthId,
    Guid? AccountId,
    IPAddress? SourceAddress,
    string? UserAgent,
    string Reason);

/// <summary>Where security events go: the audit trail when it is wired, the log otherwise.</summary>
public interface ISecurityEventSink
{
    ValueTask RecordAsync(SecurityEvent securityEvent, CancellationToken cancellationToken);
}

sealed class LoggingSecurityEventSink(ILogger<LoggingSecurityEventSink> logger) : ISecurityEventSink
{
    public ValueTask RecordAsync(SecurityEvent e, CancellationToken cancellationToken)
    {
        var level = e.Kind == SecurityEventKind.AuthenticationSucceeded ? LogLevel.Debug : LogLevel.Warning;
        logger.Log(level, "Security event {Kind} for {AuthId} from {Source}: {Reason}", e.Kind, e.AuthId, e.SourceAddress, e.Reason);
        return ValueTask.CompletedTask;
    }
}
