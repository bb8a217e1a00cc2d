using System.Buffers.Binary;

namespace Contacto.Media.Tests.Support;

/// <summary>Reads the UDP payloads of a classic libpcap file (Ethernet, IPv4), with their capture times.</summary>
internal static class Pcap
{
    public static List<(TimeSpan At, byte[] Payload)> UdpPayloads(string path)
    {
        var data = File.ReadAllBytes(path);
        if (BinaryPrimitives.ReadUInt32LittleEndian(data) != 0xA1B2C3D4 || BinaryPrimitives.ReadUInt32LittleEndian(data.AsSpan(20)) != 1)
        {
            throw new InvalidDataException($"{path} is not a little-endian Ethernet pcap file.");
        }
        var packets = new List<(TimeSpan, byte[])>();
        TimeSpan? first = null;
        for (var offset = 24; offset + 16 <= data.Length;)
        {
            var seconds = BinaryPrimitives.ReadUInt32LittleEndian(data.AsSpan(offset));
            var micros = BinaryPrimitives.ReadUInt32LittleEndian(data.AsSpan(offset + 4));
            var length = (int)BinaryPrimitives.ReadUInt32LittleEndian(data.AsSpan(offset + 8));
            var frame = data.AsSpan(offset + 16, length);
            offset += 16 + length;
            if (BinaryPrimitives.ReadUInt16BigEndian(frame[12..]) != 0x0800 || frame[14 + 9] != 17)
            {
                continue;
            }
            var ip = frame[14..];
            var udp = ip[((ip[0] & 0x0F) * 4)..];
            var udpLength = BinaryPrimitives.ReadUInt16BigEndian(udp[4..]);
            var at = TimeSpan.FromSeconds(seconds) + TimeSpan.FromMicroseconds(micros);
            first ??= at;
            packets.Add((at - first.Value, udp[8..udpLength].ToArray()));
        }
        return packets;
    }
}
