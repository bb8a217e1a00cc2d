using Contacto.Crypto;
using Microsoft.Extensions.DependencyInjection;

namespace Contacto.Audit;

/// <summary>
/// Authentication events become audit records: a success in the account's chain at once (failing
/// to write refuses the request); failures and throttling tallied per chain, source and minute
/// (<see cref="FailedAuthentications"/>), so that they never take the named account's chain lock
/// on the request path.
/// </summary>
sealed class AuditSecurityEventSink(AuditWriter writer, FailedAuthentications failures) : ISecurityEventSink
{
    public ValueTask RecordAsync(SecurityEvent e, CancellationToken cancellationToken)
    {
        var actor = new AuditActor(ActorKind.ApiCredential, e.AccountId?.ToString(), e.AuthId, AuditText.Address(e.SourceAddress), e.UserAgent);
        switch (e.Kind)
        {
            case SecurityEventKind.AuthenticationSucceeded:
                return new(writer.WriteAsync(new AuditEntry(e.AccountId, actor, AuditActions.AuthSucceeded, "account", e.AuthId, AuditOutcome.Success, e.Reason), cancellationToken));
            case SecurityEventKind.AuthenticationThrottled:
                failures.Add(null, AuditActions.AuthThrottled, actor, "account", null, AuditOutcome.Denied, e.SourceAddress, e.Reason);
                return ValueTask.CompletedTask;
            default:
                failures.Add(e.AccountId, AuditActions.AuthFailed, actor, "account", e.AuthId, AuditOutcome.Denied, e.SourceAddress, e.Reason);
                return ValueTask.CompletedTask;
        }
    }
}

/// <summary>
/// Key operations become audit records in the tenant's chain; the key service refuses a change
/// (creation, rotation, retirement, shredding) when its record cannot be written. Loads of a key
/// into memory, and anything about the audit trail's own key, are queued without waiting: they
/// happen inside other work, even inside the audit writer itself, which must not wait on itself.
/// </summary>
sealed class AuditKeyAuditSink(IServiceProvider services) : IKeyAuditSink
{
    // The writer MACs with a key from the key service, which reports to this sink: resolve the
    // writer on first use to break that construction cycle.
    readonly Lazy<AuditWriter> writer = new(services.GetRequiredService<AuditWriter>);

    public ValueTask RecordAsync(KeyAuditEvent e, CancellationToken cancellationToken)
    {
        var ownKey = e.AccountId == AuditMac.KeyOwner;
        var entry = new AuditEntry(
            ownKey || e.AccountId is { } owner && PlatformKeyOwners.Contains(owner) ? null : e.AccountId,
            AuditActor.System,
            AuditActions.KeyOperationPrefix + e.Operation.ToString().ToLowerInvariant(),
            "key",
            e.Kind is { } kind ? $"{kind.ToString().ToLowerInvariant()}/v{e.KeyVersion}" : e.KekVersion is { } kek ? $"kek/v{kek}" : null);
        if (!ownKey && e.Operation != KeyOperation.DataKeyLoaded)
            return new ValueTask(writer.Value.WriteAsync(entry, cancellationToken));
        writer.Value.Enqueue(entry);
        return ValueTask.CompletedTask;
    }
}
