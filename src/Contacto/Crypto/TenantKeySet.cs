namespace Contacto.Crypto;

/// <summary>
/// The unwrapped keys of one tenant as cached: every active encryption version plus the
/// blind-index key. Reference counted so eviction wipes the keys only once no lease uses them.
/// </summary>
internal sealed class TenantKeySet
{
    private readonly IReadOnlyDictionary<int, DataKey> _activeKeys;
    private readonly IReadOnlySet<int> _retiredVersions;
    private readonly BlindIndexKey _indexKey;
    private readonly bool _shreddingScheduled;
    private int _references = 1; // the cache's own reference
    private int _evicted;

    public TenantKeySet(Guid accountId, IReadOnlyList<DataKey> activeKeys, IReadOnlySet<int> retiredVersions,
        BlindIndexKey indexKey, bool shreddingScheduled, DateTimeOffset expiresAt)
    {
        AccountId = accountId;
        _activeKeys = activeKeys.ToDictionary(k => k.Version);
        Current = activeKeys.MaxBy(k => k.Version) ?? throw new ArgumentException("A tenant has at least one active key.", nameof(activeKeys));
        _retiredVersions = retiredVersions;
        _indexKey = indexKey;
        _shreddingScheduled = shreddingScheduled;
        ExpiresAt = expiresAt;
    }

    public Guid AccountId { get; }
    public DataKey Current { get; }
    public DateTimeOffset ExpiresAt { get; }

    public DataKey KeyForWriting() => _shreddingScheduled
        ? throw new TenantKeyUnavailableException(AccountId, KeyUnavailableReason.ShreddingScheduled)
        : Current;

    public DataKey KeyForReading(int version)
    {
        if (_activeKeys.TryGetValue(version, out var key))
        {
            return key;
        }
        throw new TenantKeyUnavailableException(AccountId,
            _retiredVersions.Contains(version) ? KeyUnavailableReason.Retired : KeyUnavailableReason.UnknownVersion, version);
    }

    public BlindIndexKey IndexKey => _shreddingScheduled
        ? throw new TenantKeyUnavailableException(AccountId, KeyUnavailableReason.ShreddingScheduled)
        : _indexKey;

    internal IEnumerable<KeyMaterial> AllKeys => _activeKeys.Values.Append<KeyMaterial>(_indexKey);

    public bool TryAcquire()
    {
        while (true)
        {
            var references = Volatile.Read(ref _references);
            if (references == 0)
            {
                return false;
            }
            if (Interlocked.CompareExchange(ref _references, references + 1, references) == references)
            {
                return true;
            }
        }
    }

    public void Release()
    {
        if (Interlocked.Decrement(ref _references) == 0)
        {
            foreach (var key in AllKeys)
            {
                key.Destroy();
            }
        }
    }

    /// <summary>Drops the cache's reference once; keys are wiped when the last lease ends.</summary>
    public void Evict()
    {
        if (Interlocked.Exchange(ref _evicted, 1) == 0)
        {
            Release();
        }
    }
}
