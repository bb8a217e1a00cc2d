using System.Text;

namespace Contacto.Crypto;

/// <summary>
/// Associated data shared by field envelopes and stream segments (never stored, rebuilt on open):
/// <code>
///   header          the format's own header bytes (format and key version first)
///   account id      16 bytes, RFC 4122 byte order
///   record id       16 bytes, RFC 4122 byte order
///   purpose length  1 byte
///   purpose         ASCII, [a-z0-9._-], 1..64 characters
/// </code>
/// A ciphertext therefore opens only for the tenant, record, purpose and key version it was sealed for.
/// </summary>
internal static class AssociatedData
{
    public const int MaxPurposeLength = 64;

    public static int MaxLength(int headerLength) => headerLength + 16 + 16 + 1 + MaxPurposeLength;

    public static int Write(Span<byte> destination, ReadOnlySpan<byte> header, Guid accountId, Guid recordId, string purpose)
    {
        ValidatePurpose(purpose);
        header.CopyTo(destination);
        var offset = header.Length;
        accountId.TryWriteBytes(destination[offset..], bigEndian: true, out _);
        offset += 16;
        recordId.TryWriteBytes(destination[offset..], bigEndian: true, out _);
        offset += 16;
        destination[offset++] = (byte)purpose.Length;
        return offset + Encoding.ASCII.GetBytes(purpose, destination[offset..]);
    }

    public static void ValidatePurpose(string purpose)
    {
        ArgumentNullException.ThrowIfNull(purpose);
        if (purpose.Length is 0 or > MaxPurposeLength || purpose.AsSpan().ContainsAnyExcept(PurposeCharacters))
        {
            throw new ArgumentException(
                $"A purpose is 1 to {MaxPurposeLength} characters of a-z, 0-9, '.', '_' and '-' (for example 'message.text').",
                nameof(purpose));
        }
    }

    private static readonly System.Buffers.SearchValues<char> PurposeCharacters =
        System.Buffers.SearchValues.Create("abcdefghijklmnopqrstuvwxyz0123456789._-");
}
