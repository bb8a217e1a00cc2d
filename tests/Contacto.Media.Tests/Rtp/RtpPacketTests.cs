using Contacto.Media.Rtp;

namespace Contacto.Media.Tests.Rtp;

public sealed class RtpPacketTests
{
    [Fact]
    public void ParsesTheFixedHeaderCsrcsExtensionAndPadding()
    {
        // V=2 P=1 X=1 CC=1, M=1 PT=8, seq 0x0102, ts 0x01020304, SSRC 0xAABBCCDD, one CSRC,
        // an extension of one word, payload "ab", two octets of padding.
        var packet = Convert.FromHexString("B188010201020304AABBCCDD" + "11111111" + "BEDE0001" + "22222222" + "6162" + "0002");

        Assert.True(RtpHeader.TryParse(packet, out var header));
        Assert.True(header.Marker);
        Assert.Equal(8, header.PayloadType);
        Assert.Equal(0x0102, header.SequenceNumber);
        Assert.Equal(0x01020304u, header.Timestamp);
        Assert.Equal(0xAABBCCDDu, header.Ssrc);
        Assert.Equal("ab"u8.ToArray(), header.PayloadOf(packet).ToArray());
    }

    [Theory]
    [InlineData("")]
    [InlineData("80080001000000000000")]                      // shorter than 12
    [InlineData("40080001000000000000000000")]                // version 1
    [InlineData("81080001000000000000000000")]                // CSRC beyond the end
    [InlineData("90080001000000000000000000BEDE")]            // extension header cut
    [InlineData("90080001000000000000000000BEDE0005")]        // extension longer than the packet
    [InlineData("A008000100000000000000006100")]              // padding count 0
    [InlineData("A008000100000000000000006109")]              // padding beyond the payload
    [InlineData("80C8000100000000000000006100")]              // an RTCP SR seen on the RTP port
    public void RefusesWhatIsNotRtp(string hex) =>
        Assert.False(RtpHeader.TryParse(Convert.FromHexString(hex), out _));

    [Fact]
    public void WritesAHeaderThatParsesBack()
    {
        var buffer = new byte[20];
        var length = RtpHeader.Write(buffer, true, 101, 65535, uint.MaxValue, 42);

        Assert.True(RtpHeader.TryParse(buffer.AsSpan(0, length + 4), out var header));
        Assert.Equal((true, (byte)101, (ushort)65535, uint.MaxValue, 42u), (header.Marker, header.PayloadType, header.SequenceNumber, header.Timestamp, header.Ssrc));
        Assert.Equal(4, header.PayloadOf(buffer.AsSpan(0, length + 4)).Length);
    }

    [Fact]
    public void RtcpReportsRoundTripAndMalformedCompoundsAreRefused()
    {
        var buffer = new byte[RtcpPacket.MaxLength];
        var block = new RtcpReportBlock(7, 64, -3, 70000, 12, 0x11112222, 0x3333);
        var length = RtcpPacket.Write(buffer, 99, new RtcpSenderInfo(0x0102030405060708, 160, 10, 1600), block, "leg@contacto", goodbye: true);

        var parsed = RtcpPacket.Parse(buffer.AsSpan(0, length))!;

        Assert.Equal(99u, parsed.SenderSsrc);
        Assert.Equal(new RtcpSenderInfo(0x0102030405060708, 160, 10, 1600), parsed.SenderInfo);
        Assert.Equal(block, Assert.Single(parsed.Reports));
        Assert.True(parsed.HasGoodbye);

        var receiverReport = RtcpPacket.Write(buffer, 5, null, block, "x", goodbye: false);
        Assert.Null(RtcpPacket.Parse(buffer.AsSpan(0, receiverReport))!.SenderInfo);

        Assert.Null(RtcpPacket.Parse(buffer.AsSpan(0, length - 4)));
        Assert.Null(RtcpPacket.Parse(Convert.FromHexString("81CA000100000001")));   // SDES first
        Assert.Null(RtcpPacket.Parse(Convert.FromHexString("81C9000700000001")));   // RR longer than the packet
        Assert.Null(RtcpPacket.Parse(Convert.FromHexString("81C9000100000001")));   // RR whose block is missing
    }

    [Fact]
    public void ReceiveStatisticsCountLossReorderWrapAndJitter()
    {
        var statistics = new RtpReceiveStatistics();
        ushort sequence = 65530;
        uint timestamp = 0;
        long arrival = 0;
        for (var n = 0; n < 100; n++, sequence++, timestamp += 160)
        {
            arrival = timestamp + (n % 2 == 0 ? 0 : 80);
            if (n is 10 or 11 or 12)
            {
                continue;
            }
            statistics.Update(1, sequence, timestamp, arrival);
        }
        statistics.Update(1, (ushort)(sequence - 1), timestamp - 160, arrival);

        Assert.Equal(100, statistics.Expected);
        Assert.Equal(97, statistics.Received);
        Assert.Equal(3, statistics.Lost);
        Assert.Equal(65536u + 93, statistics.ExtendedHighestSequence);
        Assert.Equal(1, statistics.Duplicates);
        Assert.InRange(statistics.Jitter, 60, 80);
        var report = statistics.Report(0, 0);
        Assert.Equal(3, report.CumulativeLost);
        Assert.Equal((byte)(3 * 256 / 100), report.FractionLost);
        Assert.Equal(0, statistics.Report(0, 0).FractionLost);
    }
}
