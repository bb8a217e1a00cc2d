using Contacto.Storage;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Contacto.Audit;

/// <summary>Signs the head of every chain that has grown since its last checkpoint, at each interval.</summary>
public sealed class AuditCheckpointService(
    IDbContextFactory<ContactoDbContext> contexts,
    AuditMac mac,
    IOptions<AuditOptions> options,
    TimeProvider time,
    ILogger<AuditCheckpointService> logger) : BackgroundService
{
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
                logger.LogError(e, "Signing audit checkpoints failed; trying again at the next interval");
            }
        }
    }

    /// <summary>Returns how many checkpoints it wrote.</summary>
    public async Task<int> SignHeadsAsync(CancellationToken cancellationToken)
    {
        await using var db = contexts.CreateDbContext();
        var heads = await db.Set<AuditChainHead>().AsNoTracking().Where(h => h.Sequence > 0).ToListAsync(cancellationToken);
        var latest = await db.Set<AuditCheckpoint>().GroupBy(c => c.ChainId)
            .Select(g => new { ChainId = g.Key, Sequence = g.Max(c => c.Sequence) }).ToDictionaryAsync(c => c.ChainId, c => c.Sequence, cancellationToken);
        using var key = await mac.LeaseAsync(cancellationToken);
        var now = time.GetUtcNow();
        var signed = 0;
        foreach (var head in heads.Where(h => !latest.TryGetValue(h.ChainId, out var sequence) || sequence < h.Sequence))
        {
            var signedAt = DateTimeOffset.FromUnixTimeMilliseconds(now.ToUnixTimeMilliseconds());
            db.Add(new AuditCheckpoint
            {
                ChainId = head.ChainId,
                Sequence = head.Sequence,
                Mac = head.Mac,
                SignedAt = signedAt,
                Signature = AuditMac.Checkpoint(key, head.ChainId, head.Sequence, head.Mac, signedAt),
            });
            signed++;
        }
        await db.SaveChangesAsync(cancellationToken);
        return signed;
    }
}
