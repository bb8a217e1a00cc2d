namespace Contacto.Crypto;

/// <summary>
/// What the platform calls to protect customer data at rest. Every call names the tenant, a purpose
/// (the column or object kind, for example <c>message.text</c>) and the record's id, all bound into
/// the ciphertext. For many fields in one request, lease the keys once and use the span overloads.
/// </summary>
public interface ITenantCrypto
{
    ValueTask<TenantKeyLease> LeaseKeysAsync(Guid accountId, CancellationToken cancellationToken = default);

    ValueTask<byte[]> SealAsync(Guid accountId, string purpose, Guid recordId, ReadOnlyMemory<byte> plaintext, CancellationToken cancellationToken = default);

    ValueTask<byte[]> OpenAsync(Guid accountId, string purpose, Guid recordId, ReadOnlyMemory<byte> envelope, CancellationToken cancellationToken = default);

    /// <summary>Re-encrypts an envelope under the tenant's current key version without handing out the plaintext.</summary>
    ValueTask<byte[]> ResealAsync(Guid accountId, string purpose, Guid recordId, ReadOnlyMemory<byte> envelope, CancellationToken cancellationToken = default);

    /// <summary>The <see cref="BlindIndex.Size"/>-byte index of a normalised value (a phone number to its E.164 form, see <c>Numbers.E164</c>).</summary>
    ValueTask<byte[]> BlindIndexAsync(Guid accountId, string purpose, string value, CancellationToken cancellationToken = default);

    Task EncryptAsync(Guid accountId, string purpose, Guid recordId, Stream source, Stream destination, CancellationToken cancellationToken = default);

    /// <summary>Writes plaintext as each segment authenticates; if this throws, discard what was written.</summary>
    Task DecryptAsync(Guid accountId, string purpose, Guid recordId, Stream source, Stream destination, CancellationToken cancellationToken = default);
}

/// <summary>Key management for the <c>contacto keys</c> commands and the maintenance worker.</summary>
public interface ITenantKeyAdministration
{
    Task<IReadOnlyList<TenantKeyRecord>> ListKeysAsync(Guid accountId, CancellationToken cancellationToken = default);

    /// <summary>Adds a data key version that new seals use; older versions keep decrypting. Returns the new version.</summary>
    Task<int> RotateDataKeyAsync(Guid accountId, CancellationToken cancellationToken = default);

    /// <summary>Stops a version from decrypting; re-encrypt what it protects first. The current version cannot be retired.</summary>
    Task RetireDataKeyAsync(Guid accountId, int version, CancellationToken cancellationToken = default);

    /// <summary>Adds a KEK version and rewraps every tenant key under it. Returns the new KEK version.</summary>
    Task<int> RotateKekAsync(IProgress<RewrapProgress>? progress = null, int batchSize = 100, CancellationToken cancellationToken = default);

    /// <summary>Rewraps every tenant key not yet under the current KEK version (resumes an interrupted rotation). Returns how many.</summary>
    Task<int> RewrapAsync(IProgress<RewrapProgress>? progress = null, int batchSize = 100, CancellationToken cancellationToken = default);

    /// <summary>Schedules destruction of all the tenant's keys after the waiting period (default from options).</summary>
    Task<KeyShreddingRecord> ScheduleShreddingAsync(Guid accountId, TimeSpan? waitingPeriod = null, CancellationToken cancellationToken = default);

    Task CancelShreddingAsync(Guid accountId, CancellationToken cancellationToken = default);

    /// <summary>Destroys the keys of every tenant whose waiting period is over. Returns how many tenants.</summary>
    Task<int> ShredDueAsync(CancellationToken cancellationToken = default);
}

public readonly record struct RewrapProgress(int Done, int Total);
