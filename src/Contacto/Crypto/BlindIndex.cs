using System.Security.Cryptography;
using System.Text;

namespace Contacto.Crypto;

/// <summary>
/// Blind index, format 1: the first 16 bytes of
/// HMAC-SHA256(tenant blind-index key, "contacto.blind-index.1" | purpose length (1 byte) | purpose | value).
/// 128 bits keep accidental collisions out of reach, so equality on the index is equality on the
/// value; the purpose keeps indexes of different columns unrelated. The key is the tenant's own
/// blind-index key, never its encryption key. Values must be normalised first (a phone number to its E.164 form, see <c>Numbers.E164</c>).
/// </summary>
internal static class BlindIndex
{
    public const int Size = 16;

    private static ReadOnlySpan<byte> Domain => "contacto.blind-index.1"u8;

    internal static void Compute(BlindIndexKey key, string purpose, ReadOnlySpan<byte> value, Span<byte> index)
    {
        AssociatedData.ValidatePurpose(purpose);
        if (index.Length < Size)
        {
            throw new ArgumentException($"A blind index is {Size} bytes.", nameof(index));
        }
        var prefixLength = Domain.Length + 1 + purpose.Length;
        var inputLength = prefixLength + value.Length;
        Span<byte> input = inputLength > 512 ? new byte[inputLength] : stackalloc byte[inputLength];
        try
        {
            Domain.CopyTo(input);
            input[Domain.Length] = (byte)purpose.Length;
            Encoding.ASCII.GetBytes(purpose, input[(Domain.Length + 1)..]);
            value.CopyTo(input[prefixLength..]);
            Span<byte> mac = stackalloc byte[HMACSHA256.HashSizeInBytes];
            key.Mac(input, mac);
            mac[..Size].CopyTo(index);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(input);
        }
    }
}
