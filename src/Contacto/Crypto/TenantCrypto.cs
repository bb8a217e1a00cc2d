namespace Contacto.Crypto;

internal sealed class TenantCrypto(TenantKeyService keys) : ITenantCrypto
{
    public ValueTask<TenantKeyLease> LeaseKeysAsync(Guid accountId, CancellationToken cancellationToken) =>
        keys.LeaseAsync(accountId, cancellationToken);

    public async ValueTask<byte[]> SealAsync(Guid accountId, string purpose, Guid recordId, ReadOnlyMemory<byte> plaintext, CancellationToken cancellationToken)
    {
        using var lease = await keys.LeaseAsync(accountId, cancellationToken).ConfigureAwait(false);
        return lease.Seal(purpose, recordId, plaintext.Span);
    }

    public async ValueTask<byte[]> OpenAsync(Guid accountId, string purpose, Guid recordId, ReadOnlyMemory<byte> envelope, CancellationToken cancellationToken)
    {
        using var lease = await keys.LeaseAsync(accountId, cancellationToken).ConfigureAwait(false);
        return lease.Open(purpose, recordId, envelope.Span);
    }

    public async ValueTask<byte[]> ResealAsync(Guid accountId, string purpose, Guid recordId, ReadOnlyMemory<byte> envelope, CancellationToken cancellationToken)
    {
        using var lease = await keys.LeaseAsync(accountId, cancellationToken).ConfigureAwait(false);
        return lease.Reseal(purpose, recordId, envelope.Span);
    }

    public async ValueTask<byte[]> BlindIndexAsync(Guid accountId, string purpose, string value, CancellationToken cancellationToken)
    {
        using var lease = await keys.LeaseAsync(accountId, cancellationToken).ConfigureAwait(false);
        return lease.ComputeBlindIndex(purpose, value);
    }

    public async Task EncryptAsync(Guid accountId, string purpose, Guid recordId, Stream source, Stream destination, CancellationToken cancellationToken)
    {
        using var lease = await keys.LeaseAsync(accountId, cancellationToken).ConfigureAwait(false);
        await lease.EncryptAsync(purpose, recordId, source, destination, cancellationToken).ConfigureAwait(false);
    }

    public async Task DecryptAsync(Guid accountId, string purpose, Guid recordId, Stream source, Stream destination, CancellationToken cancellationToken)
    {
        using var lease = await keys.LeaseAsync(accountId, cancellationToken).ConfigureAwait(false);
        await lease.DecryptAsync(purpose, recordId, source, destination, cancellationToken).ConfigureAwait(false);
    }
}
