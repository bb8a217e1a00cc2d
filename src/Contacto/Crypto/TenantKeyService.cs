using System.Buffers.Binary;
using System.Collections.Concurrent;
using System.Security.Cryptography;

namespace Contacto.Crypto;

/// <summary>
/// Creates, unwraps, caches, rotates and destroys tenant keys. Unwrapped keys stay in memory for
/// <see cref="CryptoOptions.KeyCacheDuration"/> at most and are wiped when evicted; other nodes see
/// a rotation, retirement or destruction once their cached copy expires.
/// </summary>
internal sealed class TenantKeyService : ITenantKeyAdministration, IDisposable
{
    private static ReadOnlySpan<byte> WrapDomain => "contacto.tenant-key.1"u8;

    private readonly IKekProvider _kek;
    private readonly IDataKeyStore _store;
    private readonly IKeyAuditSink _audit;
    private readonly TimeProvider _time;
    private readonly TimeSpan _cacheDuration;
    private readonly TimeSpan _shreddingWait;
    private readonly ConcurrentDictionary<Guid, TenantKeySet> _cache = new();
    private readonly ITimer _sweeper;

    public TenantKeyService(IKekProvider kek, IDataKeyStore store, IKeyAuditSink audit, TimeProvider time, CryptoOptions options)
    {
        _kek = kek;
        _store = store;
        _audit = audit;
        _time = time;
        _cacheDuration = options.KeyCacheDuration;
        _shreddingWait = options.ShreddingWaitingPeriod;
        // Wipes keys of tenants nobody asked for lately, not only those asked for again;
        // a key lives at most 1.25 times the cache duration.
        var sweepPeriod = _cacheDuration / 4;
        _sweeper = time.CreateTimer(_ => Sweep(), null, sweepPeriod, sweepPeriod);
    }

    public ValueTask<TenantKeyLease> LeaseAsync(Guid accountId, CancellationToken cancellationToken)
    {
        if (_cache.TryGetValue(accountId, out var keys) && keys.ExpiresAt > _time.GetUtcNow() && keys.TryAcquire())
        {
            return ValueTask.FromResult(new TenantKeyLease(keys));
        }
        return new ValueTask<TenantKeyLease>(LoadAsync(accountId, cancellationToken));
    }

    public Task<IReadOnlyList<TenantKeyRecord>> ListKeysAsync(Guid accountId, CancellationToken cancellationToken) =>
        _store.ListKeysAsync(accountId, cancellationToken);

    public async Task<int> RotateDataKeyAsync(Guid accountId, CancellationToken cancellationToken)
    {
        await RefuseIfShreddingAsync(accountId, cancellationToken);
        while (true)
        {
            var keys = await _store.ListKeysAsync(accountId, cancellationToken);
            var version = keys.Where(k => k.Kind == TenantKeyKind.Encryption).Select(k => k.Version).DefaultIfEmpty(0).Max() + 1;
            await AuditAsync(KeyOperation.DataKeyRotated, accountId, TenantKeyKind.Encryption, version, cancellationToken);
            if (await _store.TryAddKeyAsync(NewKey(accountId, TenantKeyKind.Encryption, version), cancellationToken))
            {
                Invalidate(accountId);
                return version;
            }
        }
    }

    public async Task RetireDataKeyAsync(Guid accountId, int version, CancellationToken cancellationToken)
    {
        var keys = await _store.ListKeysAsync(accountId, cancellationToken);
        var encryptionKeys = keys.Where(k => k.Kind == TenantKeyKind.Encryption).ToList();
        var key = encryptionKeys.SingleOrDefault(k => k.Version == version)
            ?? throw new TenantKeyUnavailableException(accountId, KeyUnavailableReason.UnknownVersion, version);
        if (key.State == TenantKeyState.Retired)
        {
            return;
        }
        if (version == encryptionKeys.Where(k => k.State == TenantKeyState.Active).Max(k => k.Version))
        {
            throw new InvalidOperationException($"Key version {version} of account {accountId} is current; rotate before retiring it.");
        }
        await AuditAsync(KeyOperation.DataKeyRetired, accountId, TenantKeyKind.Encryption, version, cancellationToken);
        key.State = TenantKeyState.Retired;
        key.RetiredAt = _time.GetUtcNow();
        await _store.UpdateKeyAsync(key, cancellationToken);
        Invalidate(accountId);
    }

    public async Task<int> RotateKekAsync(IProgress<RewrapProgress>? progress, int batchSize, CancellationToken cancellationToken)
    {
        await _audit.RecordAsync(new KeyAuditEvent(KeyOperation.KekRotated, _time.GetUtcNow(), KekVersion: _kek.CurrentVersion + 1), cancellationToken);
        var version = _kek.AddVersion();
        await RewrapAsync(progress, batchSize, cancellationToken);
        return version;
    }

    public async Task<int> RewrapAsync(IProgress<RewrapProgress>? progress, int batchSize, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(batchSize, 1);
        var kekVersion = _kek.CurrentVersion;
        var total = await _store.CountKeysNotWrappedUnderAsync(kekVersion, cancellationToken);
        var done = 0;
        progress?.Report(new RewrapProgress(done, total));
        while (true)
        {
            var batch = await _store.ListKeysNotWrappedUnderAsync(kekVersion, batchSize, cancellationToken);
            if (batch.Count == 0)
            {
                return done;
            }
            foreach (var key in batch)
            {
                await _audit.RecordAsync(new KeyAuditEvent(KeyOperation.DataKeyRewrapped, _time.GetUtcNow(), key.AccountId,
                    key.Kind, key.Version, kekVersion), cancellationToken);
                Rewrap(key);
                await _store.UpdateKeyAsync(key, cancellationToken);
            }
            done += batch.Count;
            progress?.Report(new RewrapProgress(done, Math.Max(total, done)));
        }
    }

    public async Task<KeyShreddingRecord> ScheduleShreddingAsync(Guid accountId, TimeSpan? waitingPeriod, CancellationToken cancellationToken)
    {
        var existing = await _store.GetShreddingAsync(accountId, cancellationToken);
        if (existing is not null)
        {
            return existing.DestroyedAt is null
                ? existing
                : throw new TenantKeyUnavailableException(accountId, KeyUnavailableReason.Destroyed);
        }
        var wait = waitingPeriod ?? _shreddingWait;
        ArgumentOutOfRangeException.ThrowIfLessThan(wait, TimeSpan.Zero, nameof(waitingPeriod));
        await AuditAsync(KeyOperation.ShreddingScheduled, accountId, null, null, cancellationToken);
        var now = _time.GetUtcNow();
        var shredding = new KeyShreddingRecord { AccountId = accountId, ScheduledAt = now, DestroyAfter = now + wait };
        await _store.SaveShreddingAsync(shredding, cancellationToken);
        Invalidate(accountId);
        return shredding;
    }

    public async Task CancelShreddingAsync(Guid accountId, CancellationToken cancellationToken)
    {
        var existing = await _store.GetShreddingAsync(accountId, cancellationToken);
        if (existing is null)
        {
            return;
        }
        if (existing.DestroyedAt is not null)
        {
            throw new TenantKeyUnavailableException(accountId, KeyUnavailableReason.Destroyed);
        }
        await AuditAsync(KeyOperation.ShreddingCancelled, accountId, null, null, cancellationToken);
        await _store.DeleteShreddingAsync(accountId, cancellationToken);
        Invalidate(accountId);
    }

    public async Task<int> ShredDueAsync(CancellationToken cancellationToken)
    {
        var now = _time.GetUtcNow();
        var due = await _store.ListDueShreddingsAsync(now, cancellationToken);
        foreach (var shredding in due)
        {
            await AuditAsync(KeyOperation.KeysDestroyed, shredding.AccountId, null, null, cancellationToken);
            await _store.DestroyKeysAsync(shredding.AccountId, now, cancellationToken);
            Invalidate(shredding.AccountId);
        }
        return due.Count;
    }

    public void Dispose()
    {
        _sweeper.Dispose();
        foreach (var accountId in _cache.Keys)
        {
            Invalidate(accountId);
        }
    }

    private async Task<TenantKeyLease> LoadAsync(Guid accountId, CancellationToken cancellationToken)
    {
        var shredding = await _store.GetShreddingAsync(accountId, cancellationToken);
        if (shredding?.DestroyedAt is not null)
        {
            throw new TenantKeyUnavailableException(accountId, KeyUnavailableReason.Destroyed);
        }
        var records = await _store.ListKeysAsync(accountId, cancellationToken);
        if (await CreateMissingKeysAsync(accountId, records, cancellationToken))
        {
            records = await _store.ListKeysAsync(accountId, cancellationToken);
        }
        await AuditAsync(KeyOperation.DataKeyLoaded, accountId, null, null, cancellationToken);
        var keys = Unwrap(accountId, records, shredding is not null);
        keys.TryAcquire();
        var lease = new TenantKeyLease(keys);
        _cache.AddOrUpdate(accountId, keys, (_, old) =>
        {
            old.Evict();
            return keys;
        });
        return lease;
    }

    /// <summary>First use of a tenant creates its version-1 keys; a node that loses the race reads the winner's.</summary>
    private async Task<bool> CreateMissingKeysAsync(Guid accountId, IReadOnlyList<TenantKeyRecord> records, CancellationToken cancellationToken)
    {
        var created = false;
        foreach (var kind in Enum.GetValues<TenantKeyKind>())
        {
            if (records.Any(r => r.Kind == kind))
            {
                continue;
            }
            await AuditAsync(KeyOperation.DataKeyCreated, accountId, kind, 1, cancellationToken);
            await _store.TryAddKeyAsync(NewKey(accountId, kind, 1), cancellationToken);
            created = true;
        }
        return created;
    }

    private TenantKeySet Unwrap(Guid accountId, IReadOnlyList<TenantKeyRecord> records, bool shreddingScheduled)
    {
        Span<byte> material = stackalloc byte[KeyMaterial.Size];
        var active = new List<DataKey>();
        var retired = new HashSet<int>();
        BlindIndexKey? indexKey = null;
        try
        {
            foreach (var record in records)
            {
                if (record.State == TenantKeyState.Retired)
                {
                    retired.Add(record.Version);
                    continue;
                }
                UnwrapInto(record, material);
                if (record.Kind == TenantKeyKind.Encryption)
                {
                    active.Add(new DataKey(record.Version, material));
                }
                else
                {
                    indexKey = new BlindIndexKey(record.Version, material);
                }
            }
        }
        finally
        {
            CryptographicOperations.ZeroMemory(material);
        }
        if (indexKey is null)
        {
            throw new CryptographicException($"Account {accountId} has no active blind-index key.");
        }
        return new TenantKeySet(accountId, active, retired, indexKey, shreddingScheduled, _time.GetUtcNow() + _cacheDuration);
    }

    private TenantKeyRecord NewKey(Guid accountId, TenantKeyKind kind, int version)
    {
        Span<byte> material = stackalloc byte[KeyMaterial.Size];
        Span<byte> context = stackalloc byte[WrapContextSize];
        try
        {
            RandomNumberGenerator.Fill(material);
            var wrapped = _kek.Wrap(material, WrapContext(accountId, kind, version, context));
            return new TenantKeyRecord
            {
                AccountId = accountId,
                Kind = kind,
                Version = version,
                KekVersion = wrapped.KekVersion,
                WrappedKey = wrapped.Blob,
                State = TenantKeyState.Active,
                CreatedAt = _time.GetUtcNow(),
            };
        }
        finally
        {
            CryptographicOperations.ZeroMemory(material);
        }
    }

    private void Rewrap(TenantKeyRecord key)
    {
        Span<byte> material = stackalloc byte[KeyMaterial.Size];
        Span<byte> context = stackalloc byte[WrapContextSize];
        try
        {
            UnwrapInto(key, material);
            var wrapped = _kek.Wrap(material, WrapContext(key.AccountId, key.Kind, key.Version, context));
            key.KekVersion = wrapped.KekVersion;
            key.WrappedKey = wrapped.Blob;
        }
        finally
        {
            CryptographicOperations.ZeroMemory(material);
        }
    }

    private void UnwrapInto(TenantKeyRecord record, Span<byte> material)
    {
        Span<byte> context = stackalloc byte[WrapContextSize];
        _kek.Unwrap(record.KekVersion, record.WrappedKey, WrapContext(record.AccountId, record.Kind, record.Version, context), material);
    }

    private static int WrapContextSize => WrapDomain.Length + 16 + 1 + 4;

    /// <summary>"contacto.tenant-key.1" | account id | kind | version: a wrapped key unwraps only in its own row.</summary>
    private static ReadOnlySpan<byte> WrapContext(Guid accountId, TenantKeyKind kind, int version, Span<byte> context)
    {
        WrapDomain.CopyTo(context);
        accountId.TryWriteBytes(context[WrapDomain.Length..], bigEndian: true, out _);
        context[WrapDomain.Length + 16] = (byte)kind;
        BinaryPrimitives.WriteInt32BigEndian(context[(WrapDomain.Length + 17)..], version);
        return context[..WrapContextSize];
    }

    private async Task RefuseIfShreddingAsync(Guid accountId, CancellationToken cancellationToken)
    {
        var shredding = await _store.GetShreddingAsync(accountId, cancellationToken);
        if (shredding is not null)
        {
            throw new TenantKeyUnavailableException(accountId,
                shredding.DestroyedAt is null ? KeyUnavailableReason.ShreddingScheduled : KeyUnavailableReason.Destroyed);
        }
    }

    private ValueTask AuditAsync(KeyOperation operation, Guid accountId, TenantKeyKind? kind, int? version, CancellationToken cancellationToken) =>
        _audit.RecordAsync(new KeyAuditEvent(operation, _time.GetUtcNow(), accountId, kind, version), cancellationToken);

    private void Invalidate(Guid accountId)
    {
        if (_cache.TryRemove(accountId, out var keys))
        {
            keys.Evict();
        }
    }

    private void Sweep()
    {
        var now = _time.GetUtcNow();
        foreach (var (accountId, keys) in _cache)
        {
            if (keys.ExpiresAt <= now && _cache.TryRemove(new KeyValuePair<Guid, TenantKeySet>(accountId, keys)))
            {
                keys.Evict();
            }
        }
    }

    internal bool TryGetCached(Guid accountId, out TenantKeySet keys) => _cache.TryGetValue(accountId, out keys!);
}
