using Contacto.Storage;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Storage;

namespace Contacto.Messaging;

/// <summary>
/// Claims due messages for one dispatcher pass. The queue is the messages themselves: a message
/// waiting for a carrier has a <see cref="Message.NextAttemptAt"/> (in a partial index), and a
/// claim is a lease written to <see cref="Message.ClaimedUntil"/> in the same statement that
/// returns the rows, so nothing is written to accept a message or finish it beyond the message's
/// own row. The lease is in a column of its own, outside every index, so that on PostgreSQL the
/// claim is a HOT update; the claimed messages a claim passes by are only those in flight.
/// On PostgreSQL the claim skips rows another node has locked (<c>FOR UPDATE SKIP LOCKED</c>),
/// so several nodes share one queue without waiting on each other; SQLite has one writer.
/// </summary>
internal static class MessageQueue
{
    /// <summary>The claimed messages, untracked: their new states are written set-based (<see cref="MessageStateWrites"/>).</summary>
    public static async Task<List<Message>> ClaimAsync(ContactoDbContext db, int batchSize, DateTimeOffset now, TimeSpan lease, CancellationToken cancellationToken)
    {
        var entity = db.Model.FindEntityType(typeof(Message))!;
        var sql = db.GetService<ISqlGenerationHelper>();
        string Column(string property) => sql.DelimitIdentifier(entity.FindProperty(property)!.GetColumnName());
        var (table, id, next, claimedUntil) = (sql.DelimitIdentifier(entity.GetTableName()!, entity.GetSchema()),
            Column(nameof(Message.Id)), Column(nameof(Message.NextAttemptAt)), Column(nameof(Message.ClaimedUntil)));
        var skipLocked = db.Database.IsNpgsql() ? " FOR UPDATE SKIP LOCKED" : "";
        return await ReturningUpdate.RunAsync<Message>(db,
            $"UPDATE {table} SET {claimedUntil} = {{0}} WHERE {id} IN (" +
            $"SELECT {id} FROM {table} WHERE {next} <= {{1}} AND ({claimedUntil} IS NULL OR {claimedUntil} <= {{1}}) " +
            $"ORDER BY {next} LIMIT {{2}}{skipLocked}) RETURNING *",
            [(now + lease).ToUnixTimeMilliseconds(), now.ToUnixTimeMilliseconds(), batchSize], cancellationToken);
    }
}
