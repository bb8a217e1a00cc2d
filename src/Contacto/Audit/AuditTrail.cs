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

    Task RecordAsync(AuditEntry entry, CancellationToken cancellationToken);
}

sealed class AuditTrail(AuditChain chain, AuditWriter writer) : IAuditTrail
{
    public Task AppendAsync(ContactoDbContext db, AuditEntry entry, CancellationToken cancellationToken) =>
        chain.AppendAsync(db, [entry], cancellationToken);

    public Task RecordAsync(AuditEntry entry, CancellationToken cancellationToken) => writer.WriteAsync(entry, cancellationToken);
}
