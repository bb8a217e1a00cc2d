using System.Data.Common;
using System.Net;
using Microsoft.Extensions.Options;
using Npgsql;

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

    /// <summary>
    /// PostgreSQL on another host is reached over TLS: without an <c>SSL Mode</c> in the connection
    /// string the platform asks for VerifyFull, and a weaker one (Disable, Allow, Prefer) is
    /// refused at start unless this is true.
    /// </summary>
    public bool AllowUnencryptedPostgres { get; set; }

    static readonly string[] SslModeKeys = ["SSL Mode", "SslMode", "sslmode"];

    /// <summary>The SSL mode the connection string names, or null when it names none (Npgsql would then take Prefer).</summary>
    internal static SslMode? WrittenSslMode(string connectionString)
    {
        // Npgsql's own builder reports every keyword it knows as present; the plain one tells what was written.
        var written = new DbConnectionStringBuilder { ConnectionString = connectionString };
        return SslModeKeys.Any(written.ContainsKey) ? new NpgsqlConnectionStringBuilder(connectionString).SslMode : null;
    }

    /// <summary>True when some host of the string is not this machine (loopback addresses, localhost and Unix sockets are).</summary>
    internal static bool ReachesAnotherHost(string connectionString) =>
        (new NpgsqlConnectionStringBuilder(connectionString).Host ?? "").Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)
            .Select(HostName).Any(host => !(host.StartsWith('/') || host.StartsWith('@') || host.Equals("localhost", StringComparison.OrdinalIgnoreCase)
                || IPAddress.TryParse(host, out var address) && IPAddress.IsLoopback(address)));

    /// <summary>One entry of Npgsql's host list without its port: <c>name:5432</c>, <c>[::1]:5432</c> or a bare IPv6 address.</summary>
    static string HostName(string entry) =>
        entry.StartsWith('[') ? entry[1..entry.IndexOf(']')] : entry.Count(c => c == ':') == 1 ? entry[..entry.IndexOf(':')] : entry;
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
                return ValidateOptionsResult.Fail(errors);
            }
            if (o.Provider == StorageProvider.PostgreSql && !o.AllowUnencryptedPostgres && StorageOptions.ReachesAnotherHost(o.ConnectionString)
                && StorageOptions.WrittenSslMode(o.ConnectionString) is SslMode.Disable or SslMode.Allow or SslMode.Prefer)
                errors.Add("Storage:ConnectionString: PostgreSQL on another host must be reached over TLS: set SSL Mode to VerifyFull (or leave it out), "
                    + "or Storage:AllowUnencryptedPostgres to true on purpose");
        }
        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
