using Contacto.Storage;

namespace Contacto.Audit;

/// <summary>
/// What capabilities call. Changes: <see cref="AppendAsync"/> inside their own transaction, so the
/// change and its record commit or fail together. Reads and events: <see cref="RecordAsync"/>,
/// awaited before data is returned, so no read goes unrecorded.
/// </summary>
public interface IAuditTrail
{
    Task AppendAsync(ContactoDbContext db, AuditEntry entry, CancellationToken cancellationToken);

    /// <summary>
    /// Many changes' records in their transaction at once, inserted now without change tracking
    /// (for batched writers); the caller's SaveChanges stores the advanced chain heads.
    /// </summary>
    Task AppendManyAsync(ContactoDbContext db, IReadOnlyList<AuditEntry> entries, CancellationToken cancellationToken);

    Task RecordAsync(AuditEntry entry, CancellationToken cancellationToken);
}

sealed class AuditTrail(AuditChain chain, AuditMac mac, AuditWriter writer) : IAuditTrail
{
    public Task AppendAsync(ContactoDbContext db, AuditEntry entry, CancellationToken cancellationToken) =>
        chain.AppendAsync(db, [entry], cancellationToken);

    public async Task AppendManyAsync(ContactoDbContext db, IReadOnlyList<AuditEntry> entries, CancellationToken cancellationToken)
    {
        using var key = await mac.LeaseAsync(cancellationToken);
        await chain.InsertAsync(db, key, entries, cancellationToken);
    }

    public Task RecordAsync(AuditEntry entry, CancellationToken cancellationToken) => writer.WriteAsync(entry, cancellationToken);
}
