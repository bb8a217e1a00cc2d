using Contacto.Storage;
using Contacto.Testing;

namespace Contacto.Server.Tests;

/// <summary>One running server on SQLite shared by the tests of a class that only read from it.</summary>
public sealed class SqliteServerFixture : IAsyncLifetime
{
    TestStorage? storage;

    public RunningServer Server { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        storage = await TestStorage.CreateAsync(StorageProvider.Sqlite);
        Server = await RunningServer.StartAsync(storage);
    }

    public async Task DisposeAsync()
    {
        await Server.DisposeAsync();
        storage?.Dispose();
    }
}
