using System.Buffers.Binary;
using System.Security.Cryptography;

namespace Contacto.Webhooks;

/// <summary>
/// UUIDv7s that increase within this process even inside one millisecond (RFC 9562 6.2, method 1:
/// a 12-bit counter in <c>rand_a</c>). <see cref="Guid.CreateVersion7()"/> fills those bits at
/// random, so two callbacks of one ordering key made in the same millisecond could not be told
/// apart; with these, their ids say which came first (both providers compare uuids in this order).
/// </summary>
internal static class OrderedIds
{
    static readonly Lock Gate = new();
    static long lastMilliseconds;
    static int counter;

    public static Guid Next(DateTimeOffset now)
    {
        long milliseconds;
        int sequence;
        lock (Gate)
        {
            milliseconds = Math.Max(now.ToUnixTimeMilliseconds(), lastMilliseconds);
            if (milliseconds == lastMilliseconds && ++counter > 0xFFF)
                (milliseconds, counter) = (milliseconds + 1, 0); // 4,096 in one millisecond: borrow the next
            else if (milliseconds != lastMilliseconds)
                counter = 0;
            (lastMilliseconds, sequence) = (milliseconds, counter);
        }
        Span<byte> bytes = stackalloc byte[16];
        RandomNumberGenerator.Fill(bytes[8..]);
        BinaryPrimitives.WriteInt64BigEndian(bytes, milliseconds << 16 | 0x7000L | (long)sequence);
        bytes[8] = (byte)(bytes[8] & 0x3F | 0x80); // the RFC 4122 variant
        return new Guid(bytes, bigEndian: true);
    }
}
