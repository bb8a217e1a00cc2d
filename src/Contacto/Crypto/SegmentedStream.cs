using System.Buffers;
using System.Buffers.Binary;
using System.Security.Cryptography;

namespace Contacto.Crypto;

/// <summary>
/// Streaming authenticated encryption for large objects (format 2), in the manner of Tink's
/// AES-GCM-HKDF streaming AEAD. Layout:
/// <code>
///   header, 33 bytes:
///     0   1   format = 2
///     1   4   key version, unsigned big-endian
///     5   4   segment size S (plaintext bytes per segment), unsigned big-endian
///     9   16  salt, random
///     25  8   nonce prefix, random
///   segments: ciphertext (S bytes; the final one 0..S bytes) followed by its 16-byte GCM tag
/// </code>
/// Each object gets its own key, HKDF-SHA256(tenant key, salt, "contacto.stream.2"), so nonces
/// never repeat across objects. Segment i uses nonce = prefix | i (4 bytes, big-endian) and
/// associated data = <see cref="AssociatedData"/> over the header | i | final flag (1 byte).
/// Reordered, dropped, spliced or appended segments and a truncated tail all fail to authenticate.
/// Memory use is two segment buffers, whatever the object's size.
/// </summary>
internal static class SegmentedStream
{
    public const byte Format = 2;
    public const int HeaderSize = 33;
    public const int DefaultSegmentSize = 64 * 1024;
    public const int MinSegmentSize = 4 * 1024;
    public const int MaxSegmentSize = 1024 * 1024;

    private const int TagSize = FieldEnvelope.TagSize;
    private const int SaltOffset = 9;
    private const int SaltSize = 16;
    private const int NoncePrefixOffset = 25;
    private const int NoncePrefixSize = 8;
    private const int SegmentTrailerSize = 5;

    private static ReadOnlySpan<byte> KeyInfo => "contacto.stream.2"u8;

    public static async Task EncryptAsync(DataKey key, Guid accountId, string purpose, Guid recordId,
        Stream source, Stream destination, int segmentSize, CancellationToken cancellationToken)
    {
        ValidateSegmentSize(segmentSize);
        var header = new byte[HeaderSize];
        header[0] = Format;
        BinaryPrimitives.WriteUInt32BigEndian(header.AsSpan(1), (uint)key.Version);
        BinaryPrimitives.WriteUInt32BigEndian(header.AsSpan(5), (uint)segmentSize);
        RandomNumberGenerator.Fill(header.AsSpan(SaltOffset, SaltSize + NoncePrefixSize));
        using var segments = new SegmentCipher(key, header, accountId, recordId, purpose);
        var current = ArrayPool<byte>.Shared.Rent(segmentSize + TagSize);
        var next = ArrayPool<byte>.Shared.Rent(segmentSize + TagSize);
        try
        {
            await destination.WriteAsync(header, cancellationToken).ConfigureAwait(false);
            var currentLength = await ReadFullAsync(source, current.AsMemory(0, segmentSize), cancellationToken).ConfigureAwait(false);
            for (uint index = 0; ; index = checked(index + 1))
            {
                // A segment is final when nothing follows it; reading one ahead tells.
                var nextLength = currentLength == segmentSize
                    ? await ReadFullAsync(source, next.AsMemory(0, segmentSize), cancellationToken).ConfigureAwait(false)
                    : 0;
                var final = nextLength == 0;
                segments.Seal(index, final, current.AsSpan(0, currentLength), current.AsSpan(currentLength, TagSize));
                await destination.WriteAsync(current.AsMemory(0, currentLength + TagSize), cancellationToken).ConfigureAwait(false);
                if (final)
                {
                    return;
                }
                (current, next, currentLength) = (next, current, nextLength);
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(current, clearArray: true);
            ArrayPool<byte>.Shared.Return(next, clearArray: true);
        }
    }

    public static async Task DecryptAsync(TenantKeySet keys, string purpose, Guid recordId,
        Stream source, Stream destination, CancellationToken cancellationToken)
    {
        var header = new byte[HeaderSize];
        if (await ReadFullAsync(source, header, cancellationToken).ConfigureAwait(false) < HeaderSize)
        {
            throw new CryptographicException("The encrypted stream is shorter than its header.");
        }
        if (header[0] != Format)
        {
            throw new CryptographicException($"Unsupported stream format {header[0]}; this version reads format {Format}.");
        }
        var version = BinaryPrimitives.ReadUInt32BigEndian(header.AsSpan(1));
        var segmentSize = BinaryPrimitives.ReadUInt32BigEndian(header.AsSpan(5));
        if (version is 0 or > int.MaxValue || segmentSize is < MinSegmentSize or > MaxSegmentSize)
        {
            throw new CryptographicException("The encrypted stream's header is invalid.");
        }
        var key = keys.KeyForReading((int)version);
        using var segments = new SegmentCipher(key, header, keys.AccountId, recordId, purpose);
        var chunkSize = (int)segmentSize + TagSize;
        var current = ArrayPool<byte>.Shared.Rent(chunkSize);
        var next = ArrayPool<byte>.Shared.Rent(chunkSize);
        try
        {
            var currentLength = await ReadFullAsync(source, current.AsMemory(0, chunkSize), cancellationToken).ConfigureAwait(false);
            for (uint index = 0; ; index = checked(index + 1))
            {
                if (currentLength < TagSize)
                {
                    throw new CryptographicException("The encrypted stream is truncated.");
                }
                var nextLength = currentLength == chunkSize
                    ? await ReadFullAsync(source, next.AsMemory(0, chunkSize), cancellationToken).ConfigureAwait(false)
                    : 0;
                var final = nextLength == 0;
                var plaintextLength = currentLength - TagSize;
                segments.Open(index, final, current.AsSpan(0, plaintextLength), current.AsSpan(plaintextLength, TagSize));
                await destination.WriteAsync(current.AsMemory(0, plaintextLength), cancellationToken).ConfigureAwait(false);
                if (final)
                {
                    return;
                }
                (current, next, currentLength) = (next, current, nextLength);
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(current, clearArray: true);
            ArrayPool<byte>.Shared.Return(next, clearArray: true);
        }
    }

    private static void ValidateSegmentSize(int segmentSize)
    {
        if (segmentSize is < MinSegmentSize or > MaxSegmentSize)
        {
            throw new ArgumentOutOfRangeException(nameof(segmentSize), $"Segments are {MinSegmentSize} to {MaxSegmentSize} bytes.");
        }
    }

    /// <summary>The per-object key with the nonce and associated data buffers it reuses for every segment.</summary>
    private sealed class SegmentCipher : IDisposable
    {
        private readonly AesGcm _cipher;
        private readonly byte[] _nonce = new byte[FieldEnvelope.NonceSize];
        private readonly byte[] _associatedData = new byte[AssociatedData.MaxLength(HeaderSize) + SegmentTrailerSize];
        private readonly int _associatedLength;

        public SegmentCipher(DataKey key, byte[] header, Guid accountId, Guid recordId, string purpose)
        {
            _associatedLength = AssociatedData.Write(_associatedData, header, accountId, recordId, purpose);
            header.AsSpan(NoncePrefixOffset, NoncePrefixSize).CopyTo(_nonce);
            Span<byte> objectKey = stackalloc byte[KeyMaterial.Size];
            try
            {
                key.DeriveObjectKey(header.AsSpan(SaltOffset, SaltSize), KeyInfo, objectKey);
                _cipher = new AesGcm(objectKey, TagSize);
            }
            finally
            {
                CryptographicOperations.ZeroMemory(objectKey);
            }
        }

        /// <summary>Encrypts the segment in place and writes its tag.</summary>
        public void Seal(uint index, bool final, Span<byte> segment, Span<byte> tag) =>
            _cipher.Encrypt(Nonce(index), segment, segment, tag, AssociatedDataFor(index, final));

        /// <summary>Decrypts the segment in place after checking its tag.</summary>
        public void Open(uint index, bool final, Span<byte> segment, ReadOnlySpan<byte> tag) =>
            _cipher.Decrypt(Nonce(index), segment, tag, segment, AssociatedDataFor(index, final));

        public void Dispose() => _cipher.Dispose();

        private ReadOnlySpan<byte> Nonce(uint index)
        {
            BinaryPrimitives.WriteUInt32BigEndian(_nonce.AsSpan(NoncePrefixSize), index);
            return _nonce;
        }

        private ReadOnlySpan<byte> AssociatedDataFor(uint index, bool final)
        {
            BinaryPrimitives.WriteUInt32BigEndian(_associatedData.AsSpan(_associatedLength), index);
            _associatedData[_associatedLength + 4] = final ? (byte)1 : (byte)0;
            return _associatedData.AsSpan(0, _associatedLength + SegmentTrailerSize);
        }
    }

    /// <summary>Fills the buffer unless the source ends first. Reads that complete synchronously stay
    /// off the async machinery, which would otherwise allocate for every segment.</summary>
    private static ValueTask<int> ReadFullAsync(Stream source, Memory<byte> buffer, CancellationToken cancellationToken)
    {
        var total = 0;
        while (total < buffer.Length)
        {
            var pending = source.ReadAsync(buffer[total..], cancellationToken);
            if (!pending.IsCompletedSuccessfully)
            {
                return FinishAsync(source, buffer, total, pending, cancellationToken);
            }
            var read = pending.Result;
            if (read == 0)
            {
                break;
            }
            total += read;
        }
        return ValueTask.FromResult(total);
    }

    private static async ValueTask<int> FinishAsync(Stream source, Memory<byte> buffer, int total, ValueTask<int> pending, CancellationToken cancellationToken)
    {
        while (true)
        {
            var read = await pending.ConfigureAwait(false);
            total += read;
            if (read == 0 || total == buffer.Length)
            {
                return total;
            }
            pending = source.ReadAsync(buffer[total..], cancellationToken);
        }
    }
}
