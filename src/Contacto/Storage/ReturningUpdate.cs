using Microsoft.EntityFrameworkCore;

namespace Contacto.Storage;

/// <summary>
/// Runs a statement that writes rows and returns them (<c>UPDATE ... RETURNING *</c>), as queues
/// claim work. EF takes such a statement for a reader: only an explicit transaction makes it wait
/// for SQLite's writer turn (<see cref="SqliteWriteGate"/>) instead of the database lock.
/// </summary>
internal static class ReturningUpdate
{
    /// <summary>The rows, untracked. <paramref name="sql"/> may concatenate only names from the model; every value is a parameter.</summary>
    public static async Task<List<T>> RunAsync<T>(ContactoDbContext db, string sql, object[] values, CancellationToken cancellationToken) where T : class
    {
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
#pragma warning disable EF1003 // see above: names from the model only
        var rows = await db.Set<T>().FromSqlRaw(sql, values)
            .IgnoreQueryFilters() // a worker's context serves every tenant; a filter would wrap the UPDATE in a SELECT
            .AsNoTracking()
            .ToListAsync(cancellationToken);
#pragma warning restore EF1003
        await transaction.CommitAsync(cancellationToken);
        return rows;
    }
}
