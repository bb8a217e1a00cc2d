using Contacto.Storage;
using Microsoft.EntityFrameworkCore;

namespace Contacto.Audit;

/// <summary>
/// Adds links to chains inside the caller's transaction. The chain's head row is locked first
/// (FOR UPDATE on PostgreSQL; SQLite transactions already exclude other writers), so writers on
/// any number of nodes append one after another and sequence numbers never repeat or skip.
/// </summary>
internal sealed class AuditChain(AuditMac mac, TimeProvider time)
{
    /// <summary>
    /// Stages the records for <paramref name="entries"/>; the caller's SaveChanges and commit make
    /// them durable. The audit key exists from start-up (<see cref="AuditKeyWarmup"/>), so leasing
    /// it here only reads, which does not wait on the caller's transaction.
    /// </summary>
    public async Task AppendAsync(ContactoDbContext db, IReadOnlyList<AuditEntry> entries, CancellationToken cancellationToken)
    {
        using var key = await mac.LeaseAsync(cancellationToken);
        await AppendAsync(db, key, entries, cancellationToken);
    }

    /// <summary>The same, with the key already leased (before the transaction began).</summary>
    public async Task AppendAsync(ContactoDbContext db, Crypto.TenantKeyLease key, IReadOnlyList<AuditEntry> entries, CancellationToken cancellationToken) =>
        db.AddRange(await LinkAsync(db, key, entries, cancellationToken));

    /// <summary>
    /// The same, for batches: inserts the records at once, without change tracking. The heads
    /// advance in the tracker; the caller's SaveChanges stores them before the commit.
    /// </summary>
    public async Task InsertAsync(ContactoDbContext db, Crypto.TenantKeyLease key, IReadOnlyList<AuditEntry> entries, CancellationToken cancellationToken) =>
        await BulkInsert.InsertAsync(db, await LinkAsync(db, key, entries, cancellationToken), cancellationToken);

    /// <summary>
    /// Locks the chains, builds the linked records and advances the (tracked) heads; the caller
    /// inserts the records in the same transaction.
    /// </summary>
    public async Task<IReadOnlyList<AuditRecord>> LinkAsync(ContactoDbContext db, Crypto.TenantKeyLease key, IReadOnlyList<AuditEntry> entries, CancellationToken cancellationToken)
    {
        if (db.Database.CurrentTransaction is null)
            throw new InvalidOperationException("Audit records are appended inside the transaction of what they record");
        var records = new List<AuditRecord>(entries.Count);
        // Lock chains in one order, so two writers holding several chains cannot deadlock.
        foreach (var chain in entries.GroupBy(e => e.AccountId ?? Guid.Empty).OrderBy(g => g.Key))
        {
            var head = await LockHeadAsync(db, chain.Key, cancellationToken);
            foreach (var entry in chain)
            {
                var record = ToRecord(entry, chain.Key, head.Sequence + 1);
                record.Mac = AuditMac.Link(key, record, head.Mac);
                records.Add(record);
                head.Sequence = record.Sequence;
                head.Mac = record.Mac;
            }
        }
        return records;
    }

    static async Task<AuditChainHead> LockHeadAsync(ContactoDbContext db, Guid chainId, CancellationToken cancellationToken)
    {
        var tracked = db.ChangeTracker.Entries<AuditChainHead>().FirstOrDefault(e => e.Entity.ChainId == chainId)?.Entity;
        if (tracked is not null)
            return tracked;
        // Both providers accept this upsert; a concurrent creator makes this one wait, then do nothing.
        await db.Database.ExecuteSqlAsync(
            $"INSERT INTO audit_chain_heads (chain_id, seq, mac) VALUES ({chainId}, {0L}, {Array.Empty<byte>()}) ON CONFLICT (chain_id) DO NOTHING",
            cancellationToken);
        var query = db.Database.IsNpgsql()
            ? db.Set<AuditChainHead>().FromSql($"SELECT * FROM audit_chain_heads WHERE chain_id = {chainId} FOR UPDATE")
            : db.Set<AuditChainHead>().FromSql($"SELECT * FROM audit_chain_heads WHERE chain_id = {chainId}");
        return await query.AsTracking().SingleAsync(cancellationToken);
    }

    AuditRecord ToRecord(AuditEntry entry, Guid chainId, long sequence) => new()
    {
        Id = Guid.CreateVersion7(),
        AccountId = chainId,
        Sequence = sequence,
        OccurredAt = time.GetUtcNow(),
        ActorKind = entry.Actor.Kind,
        ActorId = AuditText.Clip(entry.Actor.Id, 64),
        ActorAuthId = AuditText.Clip(entry.Actor.AuthId, 20),
        SourceAddress = AuditText.Clip(entry.Actor.SourceAddress, 64),
        UserAgent = AuditText.Clip(entry.Actor.UserAgent, 256),
        Action = AuditText.Clip(entry.Action, 64)!,
        ResourceType = AuditText.Clip(entry.ResourceType, 32),
        ResourceId = AuditText.Clip(entry.ResourceId, 64),
        Outcome = entry.Outcome,
        Reason = AuditText.Clip(entry.Reason, 512),
        RequestId = AuditText.Clip(entry.RequestId, 64),
    };
}
