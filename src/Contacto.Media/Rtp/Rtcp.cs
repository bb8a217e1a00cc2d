using System.Buffers.Binary;

namespace Contacto.Media.Rtp;

/// <summary>One reception report block (RFC 3550 section 6.4.1).</summary>
public readonly record struct RtcpReportBlock(
    uint Ssrc, byte FractionLost, int CumulativeLost, uint ExtendedHighestSequence, uint Jitter, uint LastSenderReport, uint DelaySinceLastSenderReport);

/// <summary>The sender information of an SR.</summary>
public readonly record struct RtcpSenderInfo(ulong NtpTimestamp, uint RtpTimestamp, uint PacketCount, uint OctetCount);

/// <summary>What a compound RTCP packet said that this library uses.</summary>
public sealed class RtcpPacket
{
    public const byte SenderReport = 200;
    public const byte ReceiverReport = 201;
    public const byte SourceDescription = 202;
    public const byte Goodbye = 203;
    private const int MaxBlocks = 31;

    public uint SenderSsrc { get; private set; }
    public RtcpSenderInfo? SenderInfo { get; private set; }
    public List<RtcpReportBlock> Reports { get; } = [];
    public bool HasGoodbye { get; private set; }

    /// <summary>
    /// Parses a compound packet: every part version 2 with a length inside the packet, the first
    /// an SR or RR (RFC 3550 section 6.1). Returns null for anything else.
    /// </summary>
    public static RtcpPacket? Parse(ReadOnlySpan<byte> packet)
    {
        if (packet.Length < 8 || packet.Length % 4 != 0)
        {
            return null;
        }
        var result = new RtcpPacket();
        var offset = 0;
        var first = true;
        while (offset < packet.Length)
        {
            if (packet.Length - offset < 4 || packet[offset] >> 6 != 2)
            {
                return null;
            }
            var count = packet[offset] & 0x1F;
            var type = packet[offset + 1];
            var length = 4 * (BinaryPrimitives.ReadUInt16BigEndian(packet[(offset + 2)..]) + 1);
            if (length > packet.Length - offset)
            {
                return null;
            }
            var part = packet.Slice(offset, length);
            if (first && type is not (SenderReport or ReceiverReport))
            {
                return null;
            }
            switch (type)
            {
                case SenderReport when first:
                    if (part.Length < 28 + 24 * count)
                    {
                        return null;
                    }
                    result.SenderSsrc = BinaryPrimitives.ReadUInt32BigEndian(part[4..]);
                    result.SenderInfo = new RtcpSenderInfo(
                        BinaryPrimitives.ReadUInt64BigEndian(part[8..]),
                        BinaryPrimitives.ReadUInt32BigEndian(part[16..]),
                        BinaryPrimitives.ReadUInt32BigEndian(part[20..]),
                        BinaryPrimitives.ReadUInt32BigEndian(part[24..]));
                    ReadBlocks(part[28..], count, result.Reports);
                    break;
                case ReceiverReport when first:
                    if (part.Length < 8 + 24 * count)
                    {
                        return null;
                    }
                    result.SenderSsrc = BinaryPrimitives.ReadUInt32BigEndian(part[4..]);
                    ReadBlocks(part[8..], count, result.Reports);
                    break;
                case Goodbye:
                    result.HasGoodbye = true;
                    break;
            }
            first = false;
            offset += length;
        }
        return result;
    }

    private static void ReadBlocks(ReadOnlySpan<byte> blocks, int count, List<RtcpReportBlock> into)
    {
        for (var i = 0; i < count; i++)
        {
            var block = blocks.Slice(24 * i, 24);
            var lost = (int)(BinaryPrimitives.ReadUInt32BigEndian(block[4..]) & 0xFFFFFF);
            if ((lost & 0x800000) != 0)
            {
                lost -= 0x1000000;
            }
            into.Add(new RtcpReportBlock(
                BinaryPrimitives.ReadUInt32BigEndian(block),
                block[4],
                lost,
                BinaryPrimitives.ReadUInt32BigEndian(block[8..]),
                BinaryPrimitives.ReadUInt32BigEndian(block[12..]),
                BinaryPrimitives.ReadUInt32BigEndian(block[16..]),
                BinaryPrimitives.ReadUInt32BigEndian(block[20..])));
        }
    }

    /// <summary>
    /// Writes a compound packet: an SR (when <paramref name="senderInfo"/> is given) or RR with
    /// at most one report block, an SDES with the CNAME, and a BYE when <paramref name="goodbye"/>.
    /// Returns its length.
    /// </summary>
    public static int Write(Span<byte> destination, uint ssrc, RtcpSenderInfo? senderInfo, RtcpReportBlock? report, string cname, bool goodbye)
    {
        var blocks = report is null ? 0 : 1;
        var offset = 0;
        var headerLength = senderInfo is null ? 8 : 28;
        var length = headerLength + 24 * blocks;
        destination[0] = (byte)(0x80 | blocks);
        destination[1] = senderInfo is null ? ReceiverReport : SenderReport;
        BinaryPrimitives.WriteUInt16BigEndian(destination[2..], (ushort)(length / 4 - 1));
        BinaryPrimitives.WriteUInt32BigEndian(destination[4..], ssrc);
        if (senderInfo is { } info)
        {
            BinaryPrimitives.WriteUInt64BigEndian(destination[8..], info.NtpTimestamp);
            BinaryPrimitives.WriteUInt32BigEndian(destination[16..], info.RtpTimestamp);
            BinaryPrimitives.WriteUInt32BigEndian(destination[20..], info.PacketCount);
            BinaryPrimitives.WriteUInt32BigEndian(destination[24..], info.OctetCount);
        }
        if (report is { } r)
        {
            var block = destination[headerLength..];
            BinaryPrimitives.WriteUInt32BigEndian(block, r.Ssrc);
            BinaryPrimitives.WriteUInt32BigEndian(block[4..], ((uint)r.FractionLost << 24) | ((uint)Math.Clamp(r.CumulativeLost, -0x800000, 0x7FFFFF) & 0xFFFFFF));
            BinaryPrimitives.WriteUInt32BigEndian(block[8..], r.ExtendedHighestSequence);
            BinaryPrimitives.WriteUInt32BigEndian(block[12..], r.Jitter);
            BinaryPrimitives.WriteUInt32BigEndian(block[16..], r.LastSenderReport);
            BinaryPrimitives.WriteUInt32BigEndian(block[20..], r.DelaySinceLastSenderReport);
        }
        offset += length;

        // SDES: one chunk, CNAME item, END, padded to a word.
        var nameLength = Math.Min(cname.Length, 255);
        var chunk = 4 + 2 + nameLength + 1;
        var sdesLength = 4 + (chunk + 3) / 4 * 4;
        var sdes = destination.Slice(offset, sdesLength);
        sdes.Clear();
        sdes[0] = 0x81;
        sdes[1] = SourceDescription;
        BinaryPrimitives.WriteUInt16BigEndian(sdes[2..], (ushort)(sdesLength / 4 - 1));
        BinaryPrimitives.WriteUInt32BigEndian(sdes[4..], ssrc);
        sdes[8] = 1;
        sdes[9] = (byte)nameLength;
        for (var i = 0; i < nameLength; i++)
        {
            sdes[10 + i] = (byte)cname[i];
        }
        offset += sdesLength;

        if (goodbye)
        {
            destination[offset] = 0x81;
            destination[offset + 1] = Goodbye;
            BinaryPrimitives.WriteUInt16BigEndian(destination[(offset + 2)..], 1);
            BinaryPrimitives.WriteUInt32BigEndian(destination[(offset + 4)..], ssrc);
            offset += 8;
        }
        return offset;
    }

    internal static int MaxLength => 28 + 24 * MaxBlocks + 4 + 264 + 8;
}
