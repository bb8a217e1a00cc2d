using Contacto.Platform;
using Contacto.Storage;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;

namespace Contacto.Audit;

/// <summary>
/// Writes audit records that have no transaction of their own (reads, sign-ins, key operations)
/// by group commit, so a busy node pays one transaction for many records. A caller's task
/// completes only once its record is durable, or fails, so the caller can refuse to go on.
/// </summary>
internal sealed class AuditWriter : IAsyncDisposable
{
    readonly IDbContextFactory<ContactoDbContext> contexts;
    readonly AuditChain chain;
    readonly GroupCommit<AuditEntry> group;

    readonly AuditMac mac;

    public AuditWriter(IDbContextFactory<ContactoDbContext> contexts, AuditChain chain, AuditMac mac, ILogger<AuditWriter> logger)
    {
        this.contexts = contexts;
        this.chain = chain;
        this.mac = mac;
        group = new GroupCommit<AuditEntry>(CommitAsync, logger, maxBatch: 2000);
    }

    /// <summary>Completes when the record is committed; throws <see cref="AuditUnavailableException"/> when it could not be.</summary>
    public async Task WriteAsync(AuditEntry entry, CancellationToken cancellationToken = default)
    {
        try
        {
            await group.WriteAsync(entry, cancellationToken);
        }
        catch (Exception e) when (e is not OperationCanceledException and not AuditUnavailableException)
        {
            throw new AuditUnavailableException("the audit record could not be written", e);
        }
    }

    /// <summary>Queues a record without waiting: for events raised while the writer itself is busy (loading its own key).</summary>
    public void Enqueue(AuditEntry entry) => _ = WriteAsync(entry).ContinueWith(static _ => { }, TaskScheduler.Default);

    async Task CommitAsync(IReadOnlyList<AuditEntry> entries)
    {
        // Lease first: creating or loading the key may write, which must not wait on our own transaction.
        using var key = await mac.LeaseAsync(CancellationToken.None);
        await using var db = contexts.CreateDbContext();
        await using var transaction = await db.Database.BeginTransactionAsync();
        await chain.InsertAsync(db, key, entries, CancellationToken.None);
        await db.SaveChangesAsync(); // the advanced chain heads
        await transaction.CommitAsync();
    }

    public ValueTask DisposeAsync() => group.DisposeAsync();
}

/// <summary>The audit trail could not take a record; the action that needed it must not happen.</summary>
internal sealed class AuditUnavailableException(string message, Exception? inner = null)
    : UnavailableException(message, "the audit trail is unavailable; nothing was done", inner);
