using System.Security.Cryptography;
using Contacto.Storage;
using Microsoft.EntityFrameworkCore;

namespace Contacto.Audit;

/// <summary>The first place a chain is broken, or none.</summary>
public sealed record AuditProblem(Guid ChainId, long Sequence, Guid? RecordId, string What);

public sealed record AuditVerification(int Chains, long Records, int Checkpoints, AuditProblem? FirstProblem)
{
    public bool Intact => FirstProblem is null;
}

/// <summary>
/// Recomputes every link of every chain (or one account's) from the first, checks that sequence
/// numbers run without gaps to the head, and that every signed checkpoint matches its link and is
/// not beyond the head. Streams records, so memory does not grow with the trail.
/// </summary>
public sealed class AuditVerifier(IDbContextFactory<ContactoDbContext> contexts, AuditMac mac)
{
    const int Page = 5000;

    public async Task<AuditVerification> VerifyAsync(Guid? accountId, CancellationToken cancellationToken)
    {
        using var key = await mac.LeaseAsync(cancellationToken);
        await using var db = contexts.CreateDbContext();
        // One snapshot for every read: the trail keeps growing while it is verified (this very
        // lease may add a record), and heads and records must be seen as of the same moment.
        await using var snapshot = await BeginSnapshotAsync(db, cancellationToken);
        var heads = await db.Set<AuditChainHead>().AsNoTracking()
            .Where(h => accountId == null || h.ChainId == accountId).OrderBy(h => h.ChainId).ToListAsync(cancellationToken);
        // A chain whose head was removed still has records: verify those too.
        var chainIds = await db.Set<AuditRecord>().Where(r => accountId == null || r.AccountId == accountId)
            .Select(r => r.AccountId).Distinct().ToListAsync(cancellationToken);
        var allChains = chainIds.Union(heads.Select(h => h.ChainId)).Order().ToList();
        long records = 0;
        var checkpoints = 0;
        foreach (var chainId in allChains)
        {
            var head = heads.FirstOrDefault(h => h.ChainId == chainId);
            var (count, problem) = await VerifyChainAsync(db, key, chainId, head, cancellationToken);
            records += count;
            if (problem is not null)
                return new AuditVerification(allChains.Count, records, checkpoints, problem);
            var (signed, checkpointProblem) = await VerifyCheckpointsAsync(db, key, chainId, head, cancellationToken);
            checkpoints += signed;
            if (checkpointProblem is not null)
                return new AuditVerification(allChains.Count, records, checkpoints, checkpointProblem);
        }
        return new AuditVerification(allChains.Count, records, checkpoints, null);
    }

    static async Task<IAsyncDisposable> BeginSnapshotAsync(ContactoDbContext db, CancellationToken cancellationToken)
    {
        if (db.Database.IsNpgsql())
            return await db.Database.BeginTransactionAsync(System.Data.IsolationLevel.RepeatableRead, cancellationToken);
        // SQLite in WAL mode: a deferred transaction reads one snapshot and blocks no writer.
        await db.Database.OpenConnectionAsync(cancellationToken);
        var transaction = ((Microsoft.Data.Sqlite.SqliteConnection)db.Database.GetDbConnection()).BeginTransaction(deferred: true);
        await db.Database.UseTransactionAsync(transaction, cancellationToken);
        return transaction;
    }

    static async Task<(long Count, AuditProblem? Problem)> VerifyChainAsync(
        ContactoDbContext db, Crypto.TenantKeyLease key, Guid chainId, AuditChainHead? head, CancellationToken cancellationToken)
    {
        var previous = Array.Empty<byte>();
        long expected = 1;
        while (true)
        {
            var after = expected - 1;
            var page = await db.Set<AuditRecord>().AsNoTracking()
                .Where(r => r.AccountId == chainId && r.Sequence > after)
                .OrderBy(r => r.Sequence).Take(Page).ToListAsync(cancellationToken);
            foreach (var record in page)
            {
                if (record.Sequence != expected)
                    return (expected - 1, new AuditProblem(chainId, expected, null,
                        record.Sequence > expected ? $"record {expected} is missing" : $"record {record.Sequence} appears out of order"));
                if (!CryptographicOperations.FixedTimeEquals(AuditMac.Link(key, record, previous), record.Mac))
                    return (expected - 1, new AuditProblem(chainId, record.Sequence, record.Id, "the record or its predecessor was altered, reordered or forged"));
                previous = record.Mac;
                expected++;
            }
            if (page.Count < Page)
                break;
        }
        var last = expected - 1;
        if (head is null)
            return (last, last == 0 ? null : new AuditProblem(chainId, last, null, "the chain's head is missing"));
        if (head.Sequence != last || !CryptographicOperations.FixedTimeEquals(head.Mac, previous))
            return (last, new AuditProblem(chainId, last + 1, null,
                head.Sequence > last ? $"records {last + 1} to {head.Sequence} are missing" : "the chain's head does not match its last record"));
        return (last, null);
    }

    static async Task<(int Count, AuditProblem? Problem)> VerifyCheckpointsAsync(
        ContactoDbContext db, Crypto.TenantKeyLease key, Guid chainId, AuditChainHead? head, CancellationToken cancellationToken)
    {
        var checkpoints = await db.Set<AuditCheckpoint>().AsNoTracking().Where(c => c.ChainId == chainId)
            .OrderBy(c => c.Sequence).ToListAsync(cancellationToken);
        foreach (var checkpoint in checkpoints)
        {
            var expected = AuditMac.Checkpoint(key, checkpoint.ChainId, checkpoint.Sequence, checkpoint.Mac, checkpoint.SignedAt);
            if (!CryptographicOperations.FixedTimeEquals(expected, checkpoint.Signature))
                return (checkpoints.Count, new AuditProblem(chainId, checkpoint.Sequence, null, "a checkpoint's signature is not valid"));
            if (head is null || checkpoint.Sequence > head.Sequence)
                return (checkpoints.Count, new AuditProblem(chainId, checkpoint.Sequence, null, "the chain ends before a signed checkpoint: records were cut off"));
            var sequence = checkpoint.Sequence;
            var link = await db.Set<AuditRecord>().AsNoTracking().Where(r => r.AccountId == chainId && r.Sequence == sequence)
                .Select(r => r.Mac).SingleOrDefaultAsync(cancellationToken);
            if (link is null || !CryptographicOperations.FixedTimeEquals(link, checkpoint.Mac))
                return (checkpoints.Count, new AuditProblem(chainId, checkpoint.Sequence, null, "a signed checkpoint does not match its record"));
        }
        return (checkpoints.Count, null);
    }
}
