using Microsoft.Extensions.Options;

namespace Contacto.Storage;

public enum StorageProvider
{
    Sqlite,
    PostgreSql,
}

/// <summary>Section <c>Storage</c>.</summary>
public sealed class StorageOptions
{
    public const string Section = "Storage";

    public StorageProvider Provider { get; set; } = StorageProvider.Sqlite;

    /// <summary>Required for PostgreSQL; for SQLite it defaults to <c>{data}/contacto.db</c>.</summary>
    public string? ConnectionString { get; set; }

    /// <summary>When false, the server refuses to start while migrations are pending.</summary>
    public bool MigrateOnStart { get; set; } = true;

    public int CommandTimeoutSeconds { get; set; } = 30;

    /// <summary>
    /// SQLite only: pages (4 KiB each) the write-ahead log grows to before it is copied into the
    /// database file. Larger means fewer copies under load and a larger log file.
    /// </summary>
    public int SqliteCheckpointPages { get; set; } = 10_000;
}

sealed class StorageOptionsValidator : IValidateOptions<StorageOptions>
{
    public ValidateOptionsResult Validate(string? name, StorageOptions o)
    {
        var errors = new List<string>();
        if (!Enum.IsDefined(o.Provider))
            errors.Add($"Storage:Provider: must be one of {string.Join(", ", Enum.GetNames<StorageProvider>())}");
        if (o.Provider == StorageProvider.PostgreSql && string.IsNullOrWhiteSpace(o.ConnectionString))
            errors.Add("Storage:ConnectionString: required when Storage:Provider is PostgreSql");
        if (o.CommandTimeoutSeconds is < 1 or > 3600)
            errors.Add($"Storage:CommandTimeoutSeconds: must be between 1 and 3600 (got {o.CommandTimeoutSeconds})");
        if (o.SqliteCheckpointPages is < 100 or > 1_000_000)
            errors.Add($"Storage:SqliteCheckpointPages: must be between 100 and 1000000 (got {o.SqliteCheckpointPages})");
        if (o.ConnectionString is not null)
        {
            try
            {
                _ = o.Provider == StorageProvider.PostgreSql
                    ? new Npgsql.NpgsqlConnectionStringBuilder(o.ConnectionString).Host
                    : new Microsoft.Data.Sqlite.SqliteConnectionStringBuilder(o.ConnectionString).DataSource;
            }
            catch (ArgumentException)
            {
                // Never echo the string: it may hold a password.
                errors.Add("Storage:ConnectionString: is not a valid connection string for the provider");
            }
        }
        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
