namespace Contacto.Crypto;

/// <summary>
/// One sealed column of a capability, for example the text of messages. The capability's storage
/// implements it so the re-encryption job can walk its rows without knowing its tables.
/// </summary>
internal interface ISealedFieldSource
{
    /// <summary>The purpose the column's envelopes were sealed for.</summary>
    string Purpose { get; }

    /// <summary>Up to <paramref name="batchSize"/> sealed values of the account in ascending record id
    /// order (as the database orders them), starting after <paramref name="after"/>, or from the first when null.</summary>
    Task<IReadOnlyList<SealedField>> ReadBatchAsync(Guid accountId, Guid? after, int batchSize, CancellationToken cancellationToken);

    /// <summary>Stores re-encrypted values over the old ones.</summary>
    Task WriteBatchAsync(Guid accountId, IReadOnlyList<SealedField> resealed, CancellationToken cancellationToken);
}

internal readonly record struct SealedField(Guid RecordId, byte[] Envelope);

internal readonly record struct ReEncryptionProgress(int Scanned, int Resealed);

/// <summary>
/// Moves a tenant's sealed values onto its current key version, batch by batch, so an old version
/// can then be retired. Restartable: values already under the current version are skipped.
/// </summary>
internal sealed class ReEncryptionJob(ITenantCrypto crypto)
{
    public async Task<ReEncryptionProgress> RunAsync(ISealedFieldSource source, Guid accountId, int batchSize = 500,
        IProgress<ReEncryptionProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(batchSize, 1);
        var done = new ReEncryptionProgress(0, 0);
        Guid? after = null;
        while (true)
        {
            var batch = await source.ReadBatchAsync(accountId, after, batchSize, cancellationToken);
            if (batch.Count == 0)
            {
                return done;
            }
            List<SealedField> resealed;
            using (var keys = await crypto.LeaseKeysAsync(accountId, cancellationToken))
            {
                resealed = batch
                    .Where(field => FieldEnvelope.ReadKeyVersion(field.Envelope) != keys.CurrentKeyVersion)
                    .Select(field => field with { Envelope = keys.Reseal(source.Purpose, field.RecordId, field.Envelope) })
                    .ToList();
            }
            if (resealed.Count > 0)
            {
                await source.WriteBatchAsync(accountId, resealed, cancellationToken);
            }
            done = new ReEncryptionProgress(done.Scanned + batch.Count, done.Resealed + resealed.Count);
            progress?.Report(done);
            after = batch[^1].RecordId;
        }
    }
}
