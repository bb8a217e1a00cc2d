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
        var transaction = db.Database.CurrentTransaction?.GetDbTransaction()
                          ?? throw new InvalidOperationException("Bulk inserts run inside a transaction");

        // SQLite runs one prepared single-row statement fastest; PostgreSQL wants few round trips.
        var rowsPerStatement = db.Database.IsSqlite() ? 1 : RowsPerStatement;
        await using var command = db.Database.GetDbConnection().CreateCommand();
        command.Transaction = transaction;
        var values = properties.Select(ProviderValue).ToArray();
        var shapedFor = 0;
        for (var start = 0; start < rows.Count; start += rowsPerStatement)
        {
            var count = Math.Min(rowsPerStatement, rows.Count - start);
            if (count != shapedFor)
            {
                Shape(command, sql.DelimitIdentifier(table.Name, table.Schema), columns, properties, count);
                shapedFor = count;
            }
            // Same statement, same parameters: only the values change, and the statement stays prepared.
            for (var r = 0; r < count; r++)
                for (var c = 0; c < properties.Count; c++)
                    command.Parameters[r * properties.Count + c].Value = values[c](rows[start + r]);
            await command.ExecuteNonQueryAsync(cancellationToken);
        }
    }

    /// <summary>An INSERT of <paramref name="count"/> rows, with a typed parameter for each value.</summary>
    static void Shape(DbCommand command, string table, string columns, List<IProperty> properties, int count)
    {
        command.Parameters.Clear();
        var values = new List<string>(count);
        for (var r = 0; r < count; r++)
        {
            var names = new string[properties.Count];
            for (var c = 0; c < properties.Count; c++)
            {
                names[c] = $"@p{r}_{c}";
                // The type mapping types the parameter as SaveChanges would (a Guid as text on SQLite).
                command.Parameters.Add(((RelationalTypeMapping)properties[c].GetRelationalTypeMapping())
                    .CreateParameter(command, names[c], null, properties[c].IsNullable));
            }
            values.Add($"({string.Join(", ", names)})");
        }
        command.CommandText = $"INSERT INTO {table} ({columns}) VALUES {string.Join(", ", values)}";
    }

    /// <summary>
    /// Reads the value as the column stores it: through the property's value converter, as
    /// SaveChanges would (EF gives every enum property one, to its number or its name).
    /// </summary>
    static Func<object, object> ProviderValue(IProperty property)
    {
        var getter = property.GetGetter();
        var converter = property.GetTypeMapping().Converter;
        return converter is null
            ? row => getter.GetClrValue(row) ?? DBNull.Value
            : row => converter.ConvertToProvider(getter.GetClrValue(row)) ?? DBNull.Value;
    }
}
