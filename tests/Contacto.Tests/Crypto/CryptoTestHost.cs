using Contacto.Crypto;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.Extensions.Time.Testing;

namespace Contacto.Tests.Crypto;

/// <summary>The key service on real parts: a local keyring in a temp folder and an SQLite file store.</summary>
internal sealed class CryptoTestHost : IDisposable
{
    public static readonly TimeSpan CacheDuration = TimeSpan.FromMinutes(5);

    private readonly List<TenantKeyService> _services = [];
    private readonly List<IKekProvider> _providers = [];

    public CryptoTestHost()
    {
        Directory = TempDirectory.Create();
        Store = new EfDataKeyStore<KeyStoreTestContext>(KeyStoreTestContext.CreateFactory(Path.Combine(Directory, "keys.db")));
        Kek = OpenKeyring();
        Service = NewService();
        Crypto = new TenantCrypto(Service);
    }

    public string Directory { get; }
    public FakeTimeProvider Time { get; } = new(new DateTimeOffset(2026, 11, 29, 6, 0, 0, TimeSpan.Zero));
    public RecordingAuditSink Audit { get; } = new();
    public IDataKeyStore Store { get; }
    public IKekProvider Kek { get; }
    public TenantKeyService Service { get; }
    public ITenantCrypto Crypto { get; }
    public ITenantKeyAdministration Keys => Service;

    public IKekProvider OpenKeyring()
    {
        var keyring = new LocalKeyring(new LocalKeyringOptions
        {
            KeysDirectory = Path.Combine(Directory, "keys"),
            MasterKeyEnvironmentVariable = null,
        });
        _providers.Add(keyring);
        return keyring;
    }

    /// <summary>A second service on the same store and keyring: what another node or a restart sees.</summary>
    public TenantKeyService NewService(IKekProvider? kek = null, IKeyAuditSink? audit = null)
    {
        var service = new TenantKeyService(kek ?? Kek, Store, audit ?? Audit, Time, new CryptoOptions { KeyCacheDuration = CacheDuration });
        _services.Add(service);
        return service;
    }

    public void Dispose()
    {
        _services.ForEach(s => s.Dispose());
        _providers.ForEach(p => p.Dispose());
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        System.IO.Directory.Delete(Directory, recursive: true);
    }
}

/// <summary>A database context holding only the crypto entities, configured as the platform's context does.</summary>
internal sealed class KeyStoreTestContext(DbContextOptions<KeyStoreTestContext> options) : DbContext(options)
{
    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        modelBuilder.ApplyConfiguration(new TenantKeyRecordConfiguration());
        modelBuilder.ApplyConfiguration(new KeyShreddingRecordConfiguration());
    }

    public static IDbContextFactory<KeyStoreTestContext> CreateFactory(string path)
    {
        var options = new DbContextOptionsBuilder<KeyStoreTestContext>().UseSqlite($"Data Source={path}").Options;
        var factory = new PooledDbContextFactory<KeyStoreTestContext>(options);
        using var db = factory.CreateDbContext();
        db.Database.EnsureCreated();
        return factory;
    }
}

internal sealed class RecordingAuditSink : IKeyAuditSink
{
    private readonly List<KeyAuditEvent> _events = [];
    private readonly TaskCompletionSource _destroyed = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Completes when keys are destroyed, for tests of work done in the background.</summary>
    public Task KeysDestroyed => _destroyed.Task;

    public bool Fail { get; set; }

    public IReadOnlyList<KeyAuditEvent> Events
    {
        get
        {
            lock (_events)
            {
                return [.. _events];
            }
        }
    }

    public ValueTask RecordAsync(KeyAuditEvent auditEvent, CancellationToken cancellationToken)
    {
        if (Fail)
        {
            throw new IOException("The audit trail is unavailable.");
        }
        lock (_events)
        {
            _events.Add(auditEvent);
        }
        if (auditEvent.Operation == KeyOperation.KeysDestroyed)
        {
            _destroyed.TrySetResult();
        }
        return ValueTask.CompletedTask;
    }
}

internal static class TempDirectory
{
    public static string Create()
    {
        var path = Path.Combine(Path.GetTempPath(), "contacto-crypto-" + Guid.NewGuid().ToString("N"));
        System.IO.Directory.CreateDirectory(path);
        return path;
    }
}
