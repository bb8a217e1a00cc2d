using System.Security.Cryptography;
using Contacto.Storage;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Contacto.Audit;

/// <summary>The first place a chain is broken, or none.</summary>
public sealed record AuditProblem(Guid ChainId, long Sequence, Guid? RecordId, string What);

public sealed record AuditVerification(int Chains, long Records, int Heads, AuditProblem? FirstProblem)
{
    public bool Intact => FirstProblem is null;
}

/// <summary>
/// Checks every chain (or one account's) against the database and the anchors outside it:
/// recomputes every link from the first and checks that sequence numbers run without gaps to the
/// head; recomputes the Merkle root at every anchored head's size from the records alone and
/// checks it and the head's signature; reports a chain shorter than its newest anchored head
/// (records cut off), a chain the database no longer has (deleted), a record left without an
/// anchored head past <c>Audit:HeadDeadline</c> (heads missing for a period with activity), and
/// database copies of heads or stored tiles that disagree with the anchors. Streams records, so
/// memory does not grow with the trail.
/// </summary>
public sealed class AuditVerifier(
    IDbContextFactory<ContactoDbContext> contexts,
    AuditMac mac,
    AuditHeadKey headKey,
    AuditAnchors anchors,
    IOptions<AuditOptions> options,
    TimeProvider time)
{
    const int Page = 5000;

    public async Task<AuditVerification> VerifyAsync(Guid? accountId, CancellationToken cancellationToken)
    {
        using var key = await mac.LeaseAsync(cancellationToken);
        await using var db = contexts.CreateDbContext();
        // One snapshot for every read: the trail keeps growing while it is verified (this very
        // lease may add a record), and heads and records must be seen as of the same moment.
        // Anchors signed after the snapshot began are left out: their records may be newer than it.
        var now = time.GetUtcNow();
        await using var snapshot = await BeginSnapshotAsync(db, cancellationToken);
        var heads = await db.Set<AuditChainHead>().AsNoTracking()
            .Where(h => accountId == null || h.ChainId == accountId).OrderBy(h => h.ChainId).ToListAsync(cancellationToken);
        // A chain whose head was removed still has records, and a chain removed whole still has anchors: verify those too.
        var chainIds = await db.Set<AuditRecord>().Where(r => accountId == null || r.AccountId == accountId)
            .Select(r => r.AccountId).Distinct().ToListAsync(cancellationToken);
        var anchoredChains = anchors.Chains().Where(c => accountId == null || c == accountId);
        var allChains = chainIds.Union(heads.Select(h => h.ChainId)).Union(anchoredChains).Order().ToList();
        long records = 0;
        var signedHeads = 0;
        foreach (var chainId in allChains)
        {
            IReadOnlyList<AuditTreeHead> anchored;
            try
            {
                anchored = anchors.Read(chainId).Where(h => h.Timestamp <= now.ToUnixTimeMilliseconds()).ToList();
            }
            catch (AuditAnchorException e)
            {
                return new AuditVerification(allChains.Count, records, signedHeads, new AuditProblem(chainId, 0, null, e.Message));
            }
            if (anchored.FirstOrDefault(h => h.AccountId != chainId || !headKey.Verify(h)) is { } forged)
                return new AuditVerification(allChains.Count, records, signedHeads,
                    new AuditProblem(chainId, forged.TreeSize, null, "an anchored head's signature is not valid (it was not signed with the platform's head key)"));
            var head = heads.FirstOrDefault(h => h.ChainId == chainId);
            var (count, problem) = await VerifyChainAsync(db, key, chainId, head, anchored, now, cancellationToken);
            records += count;
            problem ??= await VerifyStoredHeadsAsync(db, chainId, anchored, cancellationToken);
            if (problem is not null)
                return new AuditVerification(allChains.Count, records, signedHeads, problem);
            signedHeads += anchored.Count;
        }
        return new AuditVerification(allChains.Count, records, signedHeads, null);
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

    async Task<(long Count, AuditProblem? Problem)> VerifyChainAsync(ContactoDbContext db, Crypto.TenantKeyLease key, Guid chainId,
        AuditChainHead? head, IReadOnlyList<AuditTreeHead> anchored, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var deadline = options.Value.HeadDeadline;
        var previous = Array.Empty<byte>();
        var tree = new MerkleFrontier();
        var nextAnchor = 0; // the first anchored head not yet reached
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
                // The record must be under an anchored head within the deadline (or still be younger than it).
                var covering = nextAnchor < anchored.Count ? anchored[nextAnchor] : null;
                var coveredAt = covering is null ? now : DateTimeOffset.FromUnixTimeMilliseconds(covering.Timestamp);
                if (coveredAt - record.OccurredAt > deadline)
                    return (expected - 1, new AuditProblem(chainId, record.Sequence, record.Id, covering is null
                        ? $"no anchored head covers it, {(now - record.OccurredAt).TotalMinutes:0} min after it was written: heads are missing for a period with activity"
                        : $"the first anchored head to cover it was signed {(coveredAt - record.OccurredAt).TotalMinutes:0} min after it was written: heads are missing for a period with activity"));
                tree.Append(MerkleTree.LeafHash(AuditMac.LeafInput(record)));
                for (; nextAnchor < anchored.Count && anchored[nextAnchor].TreeSize == tree.Size; nextAnchor++)
                    if (!CryptographicOperations.FixedTimeEquals(tree.Root(), anchored[nextAnchor].RootHash))
                        return (expected, new AuditProblem(chainId, record.Sequence, null,
                            $"the records up to here do not hash to the anchored head of size {tree.Size}: the trail was rewritten after it was anchored"));
                previous = record.Mac;
                expected++;
            }
            if (page.Count < Page)
                break;
        }
        var last = expected - 1;
        if (anchored.Count > 0 && anchored[^1].TreeSize > last)
        {
            var newest = anchored[^1];
            var signedAt = DateTimeOffset.FromUnixTimeMilliseconds(newest.Timestamp).UtcDateTime;
            return (last, new AuditProblem(chainId, last + 1, null, last == 0
                ? $"the chain was deleted: the anchored head of {signedAt:u} covers {newest.TreeSize} records and the database has none"
                : $"records {last + 1} to {newest.TreeSize} were cut off: the anchored head of {signedAt:u} covers {newest.TreeSize} records and the database has {last}"));
        }
        if (head is null)
            return (last, last == 0 ? null : new AuditProblem(chainId, last, null, "the chain's head is missing"));
        if (head.Sequence != last || !CryptographicOperations.FixedTimeEquals(head.Mac, previous))
            return (last, new AuditProblem(chainId, last + 1, null,
                head.Sequence > last ? $"records {last + 1} to {head.Sequence} are missing" : "the chain's head does not match its last record"));
        return (last, null);
    }

    /// <summary>
    /// The heads the database serves must be anchored ones, and its tiles must give the newest
    /// stored head's root (proofs come from them; a head and its tiles are stored together).
    /// </summary>
    static async Task<AuditProblem?> VerifyStoredHeadsAsync(ContactoDbContext db, Guid chainId, IReadOnlyList<AuditTreeHead> anchored, CancellationToken cancellationToken)
    {
        var stored = await db.Set<AuditTreeHead>().AsNoTracking().Where(h => h.AccountId == chainId).OrderBy(h => h.TreeSize).ToListAsync(cancellationToken);
        foreach (var head in stored)
            if (!anchored.Any(a => a.SameAs(head)))
                return new AuditProblem(chainId, head.TreeSize, null, "the database's copy of the signed head of this size is not the anchored one");
        if (stored.Count == 0)
            return null;
        var newest = stored[^1];
        try
        {
            var tiles = await AuditTreeTiles.LoadAsync(db, chainId, MerkleTree.PerfectSubtrees(0, newest.TreeSize), cancellationToken);
            if (CryptographicOperations.FixedTimeEquals(tiles.RangeHash(0, newest.TreeSize), newest.RootHash))
                return null;
        }
        catch (AuditTreeIncompleteException)
        {
        }
        return new AuditProblem(chainId, newest.TreeSize, null, "the stored Merkle tree does not give the signed root: proofs cannot be served");
    }
}
