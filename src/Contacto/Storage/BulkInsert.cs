using System.Data.Common;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Metadata;
using Microsoft.EntityFrameworkCore.Storage;

namespace Contacto.Storage;

/// <summary>
/// Inserts many rows of one entity with multi-row INSERT statements in the context's current
/// transaction, bypassing change tracking. Table, columns, value converters and parameter types
/// all come from the EF model, so the rows are exactly what SaveChanges would have written.
/// For write-heavy paths (the audit writer) where tracking each row costs more than the insert.
/// </summary>
public static class BulkInsert
{
    const int RowsPerStatement = 400;

    public static async Task InsertAsync<T>(ContactoDbContext db, IReadOnlyList<T> rows, CancellationToken cancellationToken) where T : class
    {
        if (rows.Count == 0)
            return;
        var entity = db.Model.FindEntityType(typeof(T)) ?? throw new InvalidOperationException($"{typeof(T).Name} is not in the model");
        var table = StoreObjectIdentifier.Table(entity.GetTableName()!, entity.GetSchema());
        var properties = entity.GetProperties().ToList();
        var sql = db.GetService<ISqlGenerationHelper>();
        var columns = string.Join(", ", properties.Select(p => sql.DelimitIdentifier(p.GetColumnName(table)!)));
        var connection = db.Database.GetDbConnection();
        var transaction = db.Database.CurrentTransaction?.GetDbTransaction()
                          ?? throw new InvalidOperationException("Bulk inserts run inside a transaction");

        // SQLite runs one prepared single-row statement fastest; PostgreSQL wants few round trips.
        var rowsPerStatement = db.Database.IsSqlite() ? 1 : RowsPerStatement;
        await using var command = connection.CreateCommand();
        command.Transaction = transaction;
        for (var start = 0; start < rows.Count; start += rowsPerStatement)
        {
            var count = Math.Min(rowsPerStatement, rows.Count - start);
            command.Parameters.Clear();
            var values = new List<string>(count);
            for (var r = 0; r < count; r++)
            {
                var names = new string[properties.Count];
                for (var c = 0; c < properties.Count; c++)
                {
                    names[c] = $"@p{r}_{c}";
                    command.Parameters.Add(Parameter(command, properties[c], names[c], rows[start + r]));
                }
                values.Add($"({string.Join(", ", names)})");
            }
            // Unchanged text keeps the statement prepared from one execution to the next.
            var text = $"INSERT INTO {sql.DelimitIdentifier(table.Name, table.Schema)} ({columns}) VALUES {string.Join(", ", values)}";
            if (command.CommandText != text)
                command.CommandText = text;
            await command.ExecuteNonQueryAsync(cancellationToken);
        }
    }

    /// <summary>The property's type mapping applies its value converter, as SaveChanges would.</summary>
    static DbParameter Parameter(DbCommand command, IProperty property, string name, object row) =>
        ((RelationalTypeMapping)property.GetRelationalTypeMapping())
            .CreateParameter(command, name, property.GetGetter().GetClrValue(row), property.IsNullable);
}
