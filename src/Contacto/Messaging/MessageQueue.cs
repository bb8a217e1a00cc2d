using Contacto.Storage;
using Microsoft.EntityFrameworkCore;

namespace Contacto.Messaging;

/// <summary>
/// Claims due work items for one dispatcher pass. On PostgreSQL the claim skips rows another
/// node has locked (<c>FOR UPDATE SKIP LOCKED</c>), so several nodes share one queue without
/// waiting on each other; on SQLite (one process) a conditional update does the same.
/// Either way a claim is a lease: the update only takes rows whose lease is over.
/// </summary>
public static class MessageQueue
{
    public static async Task<List<MessageWork>> ClaimAsync(ContactoDbContext db, Guid claim, int batchSize, DateTimeOffset now, TimeSpan lease, CancellationToken cancellationToken)
    {
        var work = db.Set<MessageWork>();
        if (db.Database.IsNpgsql())
            await ClaimSkippingLockedAsync(db, claim, batchSize, now, lease, cancellationToken);
        else
        {
            var due = Due(work, now).OrderBy(w => w.NextAttemptAt).Take(batchSize).Select(w => w.Id);
            await Due(work, now).Where(w => due.Contains(w.Id)).ExecuteUpdateAsync(w => w
                .SetProperty(x => x.ClaimedBy, claim).SetProperty(x => x.ClaimedUntil, now + lease), cancellationToken);
        }
        return await work.Where(w => w.ClaimedBy == claim).ToListAsync(cancellationToken);
    }

    static IQueryable<MessageWork> Due(IQueryable<MessageWork> work, DateTimeOffset now) =>
        work.Where(w => w.NextAttemptAt <= now && (w.ClaimedUntil == null || w.ClaimedUntil < now));

    static Task ClaimSkippingLockedAsync(ContactoDbContext db, Guid claim, int batchSize, DateTimeOffset now, TimeSpan lease, CancellationToken cancellationToken)
    {
        var entity = db.Model.FindEntityType(typeof(MessageWork))!;
        string Column(string property) => $"\"{entity.FindProperty(property)!.GetColumnName()}\"";
        var (table, id, next, by, until) = ($"\"{entity.GetTableName()}\"", Column(nameof(MessageWork.Id)),
            Column(nameof(MessageWork.NextAttemptAt)), Column(nameof(MessageWork.ClaimedBy)), Column(nameof(MessageWork.ClaimedUntil)));
        var nowMs = now.ToUnixTimeMilliseconds();
        // Only table and column names from the model are concatenated; every value is a parameter.
#pragma warning disable EF1003
        return db.Database.ExecuteSqlRawAsync(
            $"UPDATE {table} SET {by} = {{0}}, {until} = {{1}} WHERE {id} IN (" +
            $"SELECT {id} FROM {table} WHERE {next} <= {{2}} AND ({until} IS NULL OR {until} < {{2}}) " +
            $"ORDER BY {next} LIMIT {{3}} FOR UPDATE SKIP LOCKED)",
            [claim, (now + lease).ToUnixTimeMilliseconds(), nowMs, batchSize], cancellationToken);
#pragma warning restore EF1003
    }
}
