using System.Buffers.Binary;
using System.Security.Cryptography;

namespace Contacto.Crypto;

/// <summary>
/// The sealed form of one field (format 1), AES-256-GCM under a tenant key version:
/// <code>
///   offset  size  content
///   0       1     format = 1
///   1       4     key version, unsigned big-endian
///   5       12    nonce, random
///   17      n     ciphertext (n = plaintext length)
///   17+n    16    GCM tag
/// </code>
/// The associated data is <see cref="AssociatedData"/> with bytes 0..5 as its header.
/// </summary>
internal static class FieldEnvelope
{
    public const byte Format = 1;
    public const int NonceSize = 12;
    public const int TagSize = 16;
    public const int HeaderSize = 1 + 4 + NonceSize;
    public const int Overhead = HeaderSize + TagSize;

    private const int AuthenticatedHeaderSize = 5;

    public static int SealedLength(int plaintextLength) => checked(plaintextLength + Overhead);

    public static int OpenedLength(int envelopeLength) => envelopeLength - Overhead;

    /// <summary>The tenant key version an envelope was sealed with, for picking rows to re-encrypt.</summary>
    public static int ReadKeyVersion(ReadOnlySpan<byte> envelope)
    {
        if (envelope.Length < Overhead)
        {
            throw new CryptographicException("The envelope is shorter than its header and tag.");
        }
        if (envelope[0] != Format)
        {
            throw new CryptographicException($"Unsupported envelope format {envelope[0]}; this version reads format {Format}.");
        }
        var version = BinaryPrimitives.ReadUInt32BigEndian(envelope[1..]);
        if (version is 0 or > int.MaxValue)
        {
            throw new CryptographicException("The envelope names an invalid key version.");
        }
        return (int)version;
    }

    internal static int Seal(DataKey key, Guid accountId, string purpose, Guid recordId, ReadOnlySpan<byte> plaintext, Span<byte> envelope)
    {
        var length = SealedLength(plaintext.Length);
        if (envelope.Length < length)
        {
            throw new ArgumentException("The destination is too small for the envelope.", nameof(envelope));
        }
        envelope[0] = Format;
        BinaryPrimitives.WriteUInt32BigEndian(envelope[1..], (uint)key.Version);
        var nonce = envelope.Slice(AuthenticatedHeaderSize, NonceSize);
        RandomNumberGenerator.Fill(nonce);
        Span<byte> associatedData = stackalloc byte[AssociatedData.MaxLength(AuthenticatedHeaderSize)];
        var associatedLength = AssociatedData.Write(associatedData, envelope[..AuthenticatedHeaderSize], accountId, recordId, purpose);
        var cipher = key.RentCipher();
        try
        {
            cipher.Encrypt(nonce, plaintext, envelope.Slice(HeaderSize, plaintext.Length),
                envelope.Slice(HeaderSize + plaintext.Length, TagSize), associatedData[..associatedLength]);
        }
        finally
        {
            key.ReturnCipher(cipher);
        }
        return length;
    }

    internal static int Open(DataKey key, Guid accountId, string purpose, Guid recordId, ReadOnlySpan<byte> envelope, Span<byte> plaintext)
    {
        var length = OpenedLength(envelope.Length);
        if (plaintext.Length < length)
        {
            throw new ArgumentException("The destination is too small for the plaintext.", nameof(plaintext));
        }
        Span<byte> associatedData = stackalloc byte[AssociatedData.MaxLength(AuthenticatedHeaderSize)];
        var associatedLength = AssociatedData.Write(associatedData, envelope[..AuthenticatedHeaderSize], accountId, recordId, purpose);
        var cipher = key.RentCipher();
        try
        {
            cipher.Decrypt(envelope.Slice(AuthenticatedHeaderSize, NonceSize), envelope.Slice(HeaderSize, length),
                envelope[^TagSize..], plaintext[..length], associatedData[..associatedLength]);
        }
        finally
        {
            key.ReturnCipher(cipher);
        }
        return length;
    }
}
