using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Metadata;
using Microsoft.EntityFrameworkCore.Storage;
using Npgsql;

namespace Contacto.Storage;

/// <summary>
/// Inserts many rows of one entity in the context's current transaction, bypassing change
/// tracking: a binary COPY on PostgreSQL, a prepared single-row INSERT on SQLite. Table, columns,
/// value converters and column types all come from the EF model, so the rows are exactly what
/// SaveChanges would have written. For write-heavy paths (messages, the audit writer) where
/// tracking each row costs more than the insert.
/// </summary>
internal static class BulkInsert
{
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
        var tableName = sql.DelimitIdentifier(table.Name, table.Schema);
        var values = properties.Select(ProviderValue).ToArray();
        if (db.Database.GetDbConnection() is NpgsqlConnection postgres)
        {
            await CopyAsync(postgres, tableName, columns, properties, values, rows, cancellationToken);
            return;
        }

        // SQLite runs one prepared single-row statement fastest: same statement, same parameters,
        // only the values change.
        await using var command = db.Database.GetDbConnection().CreateCommand();
        command.Transaction = transaction;
        command.CommandText = $"INSERT INTO {tableName} ({columns}) VALUES ({string.Join(", ", properties.Select((_, c) => $"@p{c}"))})";
        for (var c = 0; c < properties.Count; c++)
            // The type mapping types the parameter as SaveChanges would (a Guid as text on SQLite).
            command.Parameters.Add(((RelationalTypeMapping)properties[c].GetRelationalTypeMapping())
                .CreateParameter(command, $"@p{c}", null, properties[c].IsNullable));
        foreach (var row in rows)
        {
            for (var c = 0; c < properties.Count; c++)
                command.Parameters[c].Value = values[c](row);
            await command.ExecuteNonQueryAsync(cancellationToken);
        }
    }

    /// <summary>
    /// A binary COPY in the connection's open transaction. PostgreSQL neither parses nor plans it,
    /// where a multi-row INSERT of hundreds of parameters cost more to plan than to run.
    /// </summary>
    static async Task CopyAsync<T>(NpgsqlConnection connection, string table, string columns, List<IProperty> properties,
        Func<object, object>[] values, IReadOnlyList<T> rows, CancellationToken cancellationToken) where T : class
    {
        // The column's type without facets ("character varying", not "character varying(64)").
        var types = properties.Select(p => ((RelationalTypeMapping)p.GetRelationalTypeMapping()).StoreTypeNameBase).ToArray();
        await using var importer = await connection.BeginBinaryImportAsync($"COPY {table} ({columns}) FROM STDIN (FORMAT BINARY)", cancellationToken);
        foreach (var row in rows)
        {
            await importer.StartRowAsync(cancellationToken);
            for (var c = 0; c < properties.Count; c++)
            {
                var value = values[c](row);
                if (value is DBNull)
                    await importer.WriteNullAsync(cancellationToken);
                else
                    await importer.WriteAsync(value, types[c], cancellationToken);
            }
        }
        await importer.CompleteAsync(cancellationToken);
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
