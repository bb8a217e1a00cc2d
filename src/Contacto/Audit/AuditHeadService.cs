using System.Security.Cryptography;
using Contacto.Storage;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Contacto.Audit;

/// <summary>
/// At each <c>Audit:CheckpointInterval</c>, extends the Merkle tree of every chain that grew by
/// its new records (never rehashing the old ones: only the tiles at the tree's right edge are read
/// and rewritten), signs the new head and anchors it outside the database, then stores the tiles
/// and a copy of the head. Nodes may do this at once: tiles only grow, a head is stored once, and
/// an anchored size is never anchored again.
/// </summary>
internal sealed partial class AuditHeadService(
    IDbContextFactory<ContactoDbContext> contexts,
    AuditMac mac,
    AuditHeadKey headKey,
    AuditAnchors anchors,
    IOptions<AuditOptions> options,
    TimeProvider time,
    ILogger<AuditHeadService> logger) : BackgroundService
{
    const int Page = 5000;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.Value.CheckpointInterval, time);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            try
            {
                await SignHeadsAsync(stoppingToken);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                LogSigningFailed(logger, e);
            }
        }
    }

    /// <summary>Returns how many heads it signed.</summary>
    public async Task<int> SignHeadsAsync(CancellationToken cancellationToken)
    {
        List<AuditChainHead> heads;
        Dictionary<Guid, long> signed;
        await using (var db = contexts.CreateDbContext())
        {
            heads = await db.Set<AuditChainHead>().AsNoTracking().Where(h => h.Sequence > 0).ToListAsync(cancellationToken);
            signed = await db.Set<AuditTreeHead>().GroupBy(h => h.AccountId)
                .Select(g => new { Chain = g.Key, Size = g.Max(h => h.TreeSize) }).ToDictionaryAsync(h => h.Chain, h => h.Size, cancellationToken);
        }
        var count = 0;
        foreach (var head in heads.Where(h => signed.GetValueOrDefault(h.ChainId) < h.Sequence))
        {
            await ExtendAsync(head.ChainId, signed.GetValueOrDefault(head.ChainId), head.Sequence, cancellationToken);
            count++;
        }
        return count;
    }

    /// <summary>Adds records <paramref name="size"/>+1 to <paramref name="target"/> to the chain's tree and signs it.</summary>
    async Task ExtendAsync(Guid chainId, long size, long target, CancellationToken cancellationToken)
    {
        await using var db = contexts.CreateDbContext();
        var tiles = await AuditTreeTiles.LoadEdgeAsync(db, chainId, size, cancellationToken);
        using (var key = await mac.LeaseAsync(cancellationToken))
        {
            // Only an intact chain is signed: each new link is checked against the one before.
            var previous = size == 0 ? [] : await db.Set<AuditRecord>().AsNoTracking()
                .Where(r => r.AccountId == chainId && r.Sequence == size).Select(r => r.Mac).SingleAsync(cancellationToken);
            for (var next = size + 1; next <= target;)
            {
                var after = next - 1;
                var page = await db.Set<AuditRecord>().AsNoTracking()
                    .Where(r => r.AccountId == chainId && r.Sequence > after && r.Sequence <= target)
                    .OrderBy(r => r.Sequence).Take(Page).ToListAsync(cancellationToken);
                if (page.Count == 0)
                    throw new AuditAnchorException($"chain {chainId} ends at record {after}, before its head {target}; not signed");
                foreach (var record in page)
                {
                    if (record.Sequence != next || !CryptographicOperations.FixedTimeEquals(AuditMac.Link(key, record, previous), record.Mac))
                        throw new AuditAnchorException($"chain {chainId} is broken at record {next}; not signed");
                    tiles.Append(next - 1, MerkleTree.LeafHash(AuditMac.LeafInput(record)));
                    previous = record.Mac;
                    next++;
                }
            }
        }
        var head = anchors.Write(headKey.Sign(chainId, target, time.GetUtcNow(), tiles.RangeHash(0, target)));
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        await tiles.SaveAsync(db, cancellationToken);
        await db.Database.ExecuteSqlAsync(
            $"""
            INSERT INTO audit_tree_heads (chain_id, tree_size, timestamp, root_hash, signature)
            VALUES ({head.AccountId}, {head.TreeSize}, {head.Timestamp}, {head.RootHash}, {head.Signature}) ON CONFLICT DO NOTHING
            """, cancellationToken);
        await transaction.CommitAsync(cancellationToken);
    }

    [LoggerMessage(EventId = 801, Level = LogLevel.Error, Message = "Signing audit tree heads failed; trying again at the next interval")]
    static partial void LogSigningFailed(ILogger logger, Exception exception);
}
