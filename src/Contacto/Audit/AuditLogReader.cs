using Contacto.Storage;
using Microsoft.EntityFrameworkCore;

namespace Contacto.Audit;

/// <summary>An account's audit records for readers outside the API (the console), in the account's scope.</summary>
internal sealed class AuditLogReader(ContactoDbContextFactory contexts)
{
    /// <summary>The account's newest <paramref name="count"/> records, newest first.</summary>
    public async Task<IReadOnlyList<AuditRecord>> NewestAsync(Guid accountId, int count, CancellationToken cancellationToken)
    {
        await using var db = contexts.CreateForAccount(accountId);
        return await db.Set<AuditRecord>().AsNoTracking().OrderByDescending(r => r.Sequence).Take(count).ToListAsync(cancellationToken);
    }
}
