using Contacto.Crypto;
using Contacto.Storage;
using Contacto.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Time.Testing;

namespace Contacto.Tests.Crypto;

/// <summary>The key service on real parts: a local keyring in a temp folder and the platform's
/// migrated database (SQLite unless a test asks for PostgreSQL).</summary>
internal sealed class CryptoTestHost : IDisposable
{
    public static readonly TimeSpan CacheDuration = TimeSpan.FromMinutes(5);

    private readonly TestStorage _storage;
    private readonly List<TenantKeyService> _services = [];
    private readonly List<IKekProvider> _providers = [];

    public CryptoTestHost()
        : this(TestStorage.CreateAsync(StorageProvider.Sqlite).GetAwaiter().GetResult())
    {
    }

    private CryptoTestHost(TestStorage storage)
    {
        _storage = storage;
        Contexts = storage.Contexts();
        using (var db = Contexts.CreateDbContext())
        {
            db.Database.Migrate();
        }
        Store = new EfDataKeyStore(Contexts);
        Kek = OpenKeyring();
        Service = NewService();
        Crypto = new TenantCrypto(Service);
    }

    public static async Task<CryptoTestHost> CreateAsync(StorageProvider provider) => new(await TestStorage.CreateAsync(provider));

    public string Directory => _storage.Directory.Path;
    public ContactoDbContextFactory Contexts { get; }
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
            KeysDirectory = Path.Combine(_storage.DataDir, "keys"),
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
        _storage.Dispose();
    }
}

internal sealed class RecordingAuditSink : IKeyAuditSink
{
    private readonly List<KeyAuditEvent> _events = [];
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
        return ValueTask.CompletedTask;
    }
}
