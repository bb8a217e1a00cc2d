namespace Contacto.Crypto;

/// <summary>Where wrapped tenant keys and shredding schedules live (the database in production).</summary>
internal interface IDataKeyStore
{
    Task<IReadOnlyList<TenantKeyRecord>> ListKeysAsync(Guid accountId, CancellationToken cancellationToken);

    /// <summary>Adds a key version; false when that (account, kind, version) already exists,
    /// which is how two nodes creating or rotating the same key at once are told apart.</summary>
    Task<bool> TryAddKeyAsync(TenantKeyRecord key, CancellationToken cancellationToken);

    /// <summary>Saves the state, retirement and wrapping of an existing key version.</summary>
    Task UpdateKeyAsync(TenantKeyRecord key, CancellationToken cancellationToken);

    /// <summary>Up to <paramref name="limit"/> keys wrapped under any KEK version other than <paramref name="kekVersion"/>.</summary>
    Task<IReadOnlyList<TenantKeyRecord>> ListKeysNotWrappedUnderAsync(int kekVersion, int limit, CancellationToken cancellationToken);

    Task<int> CountKeysNotWrappedUnderAsync(int kekVersion, CancellationToken cancellationToken);

    Task<KeyShreddingRecord?> GetShreddingAsync(Guid accountId, CancellationToken cancellationToken);

    Task SaveShreddingAsync(KeyShreddingRecord shredding, CancellationToken cancellationToken);

    Task DeleteShreddingAsync(Guid accountId, CancellationToken cancellationToken);

    Task<IReadOnlyList<KeyShreddingRecord>> ListDueShreddingsAsync(DateTimeOffset now, CancellationToken cancellationToken);

    /// <summary>Deletes every key of the account and marks its shredding done, in one transaction.</summary>
    Task DestroyKeysAsync(Guid accountId, DateTimeOffset destroyedAt, CancellationToken cancellationToken);
}
