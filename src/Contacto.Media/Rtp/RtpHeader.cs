using System.Buffers.Binary;

namespace Contacto.Media.Rtp;

/// <summary>
/// The fixed RTP header (RFC 3550 section 5.1) and where the payload lies. Parsing is strict:
/// version 2, CSRC list, header extension and padding all inside the packet, the padding count
/// non-zero; anything else is not RTP and is dropped.
/// </summary>
public readonly record struct RtpHeader(
    bool Marker, byte PayloadType, ushort SequenceNumber, uint Timestamp, uint Ssrc, int HeaderLength, int PaddingLength)
{
    public const int FixedLength = 12;

    public static bool TryParse(ReadOnlySpan<byte> packet, out RtpHeader header)
    {
        header = default;
        if (packet.Length < FixedLength || packet[0] >> 6 != 2)
        {
            return false;
        }
        var payloadType = (byte)(packet[1] & 0x7F);
        if (payloadType is >= 72 and <= 76)
        {
            // RTCP packet types 200-204 with the marker bit read as RTP: not media.
            return false;
        }
        var length = FixedLength + 4 * (packet[0] & 0x0F);
        if ((packet[0] & 0x10) != 0)
        {
            if (packet.Length < length + 4)
            {
                return false;
            }
            length += 4 + 4 * BinaryPrimitives.ReadUInt16BigEndian(packet[(length + 2)..]);
        }
        if (length > packet.Length)
        {
            return false;
        }
        var padding = 0;
        if ((packet[0] & 0x20) != 0)
        {
            padding = packet[^1];
            if (padding == 0 || padding > packet.Length - length)
            {
                return false;
            }
        }
        header = new RtpHeader(
            (packet[1] & 0x80) != 0,
            payloadType,
            BinaryPrimitives.ReadUInt16BigEndian(packet[2..]),
            BinaryPrimitives.ReadUInt32BigEndian(packet[4..]),
            BinaryPrimitives.ReadUInt32BigEndian(packet[8..]),
            length,
            padding);
        return true;
    }

    /// <summary>The payload inside a packet this header was parsed from.</summary>
    public ReadOnlySpan<byte> PayloadOf(ReadOnlySpan<byte> packet) => packet[HeaderLength..(packet.Length - PaddingLength)];

    /// <summary>Writes a 12-octet header (no CSRC, extension or padding) and returns its length.</summary>
    public static int Write(Span<byte> destination, bool marker, byte payloadType, ushort sequenceNumber, uint timestamp, uint ssrc)
    {
        destination[0] = 0x80;
        destination[1] = (byte)((marker ? 0x80 : 0) | (payloadType & 0x7F));
        BinaryPrimitives.WriteUInt16BigEndian(destination[2..], sequenceNumber);
        BinaryPrimitives.WriteUInt32BigEndian(destination[4..], timestamp);
        BinaryPrimitives.WriteUInt32BigEndian(destination[8..], ssrc);
        return FixedLength;
    }
}
