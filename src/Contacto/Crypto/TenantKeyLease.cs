using System.Buffers;
using System.Text;

namespace Contacto.Crypto;

/// <summary>
/// Use of one tenant's keys for a short while (one request, one batch). Holding a lease keeps the
/// keys from being wiped under it; dispose it promptly. Span overloads allocate nothing.
/// </summary>
public sealed class TenantKeyLease : IDisposable
{
    private TenantKeySet? _keys;

    internal TenantKeyLease(TenantKeySet keys) => _keys = keys;

    public Guid AccountId => Keys.AccountId;

    /// <summary>The key version new seals use.</summary>
    public int CurrentKeyVersion => Keys.Current.Version;

    private TenantKeySet Keys => _keys ?? throw new ObjectDisposedException(nameof(TenantKeyLease));

    /// <summary>Seals into <paramref name="envelope"/> (at least <see cref="FieldEnvelope.SealedLength"/> bytes); returns the bytes written.</summary>
    public int Seal(string purpose, Guid recordId, ReadOnlySpan<byte> plaintext, Span<byte> envelope) =>
        FieldEnvelope.Seal(Keys.KeyForWriting(), Keys.AccountId, purpose, recordId, plaintext, envelope);

    /// <summary>Opens into <paramref name="plaintext"/> (at least <see cref="FieldEnvelope.OpenedLength"/> bytes); returns the bytes written.</summary>
    public int Open(string purpose, Guid recordId, ReadOnlySpan<byte> envelope, Span<byte> plaintext) =>
        FieldEnvelope.Open(Keys.KeyForReading(FieldEnvelope.ReadKeyVersion(envelope)), Keys.AccountId, purpose, recordId, envelope, plaintext);

    public byte[] Seal(string purpose, Guid recordId, ReadOnlySpan<byte> plaintext)
    {
        var envelope = new byte[FieldEnvelope.SealedLength(plaintext.Length)];
        Seal(purpose, recordId, plaintext, envelope);
        return envelope;
    }

    public byte[] Open(string purpose, Guid recordId, ReadOnlySpan<byte> envelope)
    {
        var plaintext = new byte[Math.Max(0, FieldEnvelope.OpenedLength(envelope.Length))];
        Open(purpose, recordId, envelope, plaintext);
        return plaintext;
    }

    /// <summary>Re-encrypts under the current key version; the plaintext exists only briefly, on the stack for small fields.</summary>
    public byte[] Reseal(string purpose, Guid recordId, ReadOnlySpan<byte> envelope)
    {
        var length = Math.Max(0, FieldEnvelope.OpenedLength(envelope.Length));
        var plaintext = length <= 1024 ? stackalloc byte[length] : new byte[length];
        try
        {
            Open(purpose, recordId, envelope, plaintext);
            return Seal(purpose, recordId, plaintext);
        }
        finally
        {
            System.Security.Cryptography.CryptographicOperations.ZeroMemory(plaintext);
        }
    }

    /// <summary>Computes the <see cref="BlindIndex.Size"/>-byte blind index of an already normalised value.</summary>
    public void ComputeBlindIndex(string purpose, ReadOnlySpan<byte> value, Span<byte> index) =>
        BlindIndex.Compute(Keys.IndexKey, purpose, value, index);

    public byte[] ComputeBlindIndex(string purpose, string value)
    {
        var index = new byte[BlindIndex.Size];
        var buffer = ArrayPool<byte>.Shared.Rent(Encoding.UTF8.GetMaxByteCount(value.Length));
        try
        {
            var length = Encoding.UTF8.GetBytes(value, buffer);
            ComputeBlindIndex(purpose, buffer.AsSpan(0, length), index);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer, clearArray: true);
        }
        return index;
    }

    public Task EncryptAsync(string purpose, Guid recordId, Stream source, Stream destination, CancellationToken cancellationToken = default) =>
        SegmentedStream.EncryptAsync(Keys.KeyForWriting(), Keys.AccountId, purpose, recordId, source, destination,
            SegmentedStream.DefaultSegmentSize, cancellationToken);

    /// <summary>Writes plaintext as each segment authenticates; if this throws, discard what was written.</summary>
    public Task DecryptAsync(string purpose, Guid recordId, Stream source, Stream destination, CancellationToken cancellationToken = default) =>
        SegmentedStream.DecryptAsync(Keys, purpose, recordId, source, destination, cancellationToken);

    public void Dispose() => Interlocked.Exchange(ref _keys, null)?.Release();
}
