using Contacto.Platform;
using Contacto.Storage;
using Microsoft.Extensions.Options;

namespace Contacto.Testing;

/// <summary>
/// Storage for one test on one provider: a data directory plus, for PostgreSQL, a fresh database
/// on the shared private server. Storage tests are theories over <see cref="Providers"/>.
/// </summary>
public sealed class TestStorage : IDisposable
{
    readonly TempDirectory directory = new();

    TestStorage(StorageProvider provider, string? connectionString)
    {
        Provider = provider;
        ConnectionString = connectionString;
    }

    public static TheoryData<StorageProvider> Providers => [StorageProvider.Sqlite, StorageProvider.PostgreSql];

    public StorageProvider Provider { get; }
    public string? ConnectionString { get; }
    public string DataDir => directory.Combine("data");
    public TempDirectory Directory => directory;

    public static async Task<TestStorage> CreateAsync(StorageProvider provider) =>
        provider == StorageProvider.PostgreSql
            ? new TestStorage(provider, await (await PostgresServer.GetAsync()).CreateDatabaseAsync())
            : new TestStorage(provider, null);

    /// <summary>The configuration switches that point the server or the CLI at this storage.</summary>
    public string[] Arguments =>
        ConnectionString is null
            ? ["--data-dir", DataDir, "--storage", Provider.ToString()]
            : ["--data-dir", DataDir, "--storage", Provider.ToString(), "--connection-string", ConnectionString];

    /// <summary>Contexts on this storage, as the server makes them; another connection string when given one.</summary>
    public ContactoDbContextFactory Contexts(string? connectionString = null) =>
        new(Options.Create(new StorageOptions { Provider = Provider, ConnectionString = connectionString ?? ConnectionString }),
            new DataDirectory(Options.Create(new PlatformOptions { DataDir = DataDir })));

    public void Dispose() => directory.Dispose();
}
