using Microsoft.Extensions.Logging;

namespace Contacto.Crypto;

/// <summary>
/// Receives every key operation before it takes effect. The audit capability supplies the
/// durable, hash-chained implementation; throwing refuses the operation (fail closed).
/// </summary>
internal interface IKeyAuditSink
{
    ValueTask RecordAsync(KeyAuditEvent auditEvent, CancellationToken cancellationToken);
}

internal enum KeyOperation
{
    DataKeyCreated,
    DataKeyLoaded,
    DataKeyRotated,
    DataKeyRetired,
    DataKeyRewrapped,
    KekRotated,
    ShreddingScheduled,
    ShreddingCancelled,
    KeysDestroyed,
}

/// <summary>What happened to which key; never carries key material.</summary>
internal sealed record KeyAuditEvent(
    KeyOperation Operation,
    DateTimeOffset At,
    Guid? AccountId = null,
    TenantKeyKind? Kind = null,
    int? KeyVersion = null,
    int? KekVersion = null);

/// <summary>Default sink until the audit trail exists: one structured log line per key operation.</summary>
internal sealed partial class LoggingKeyAuditSink(ILogger<LoggingKeyAuditSink> logger) : IKeyAuditSink
{
    public ValueTask RecordAsync(KeyAuditEvent auditEvent, CancellationToken cancellationToken)
    {
        Log(logger, auditEvent.Operation, auditEvent.AccountId, auditEvent.Kind, auditEvent.KeyVersion, auditEvent.KekVersion, auditEvent.At);
        return ValueTask.CompletedTask;
    }

    [LoggerMessage(EventId = 401, Level = LogLevel.Information,
        Message = "Key operation {Operation} account={AccountId} kind={Kind} version={KeyVersion} kek={KekVersion} at={At}")]
    private static partial void Log(ILogger logger, KeyOperation operation, Guid? accountId, TenantKeyKind? kind,
        int? keyVersion, int? kekVersion, DateTimeOffset at);
}
