using System.Text;
using Contacto.Media.Sdp;

namespace Contacto.Media.Tests.Sdp;

public sealed class SessionDescriptionTests
{
    // What SIPp's uac scenario sends (with its own address filled in).
    internal const string SippOffer =
        "v=0\r\n" +
        "o=user1 53655765 2353687637 IN IP4 127.0.0.1\r\n" +
        "s=-\r\n" +
        "c=IN IP4 127.0.0.1\r\n" +
        "t=0 0\r\n" +
        "m=audio 6000 RTP/AVP 8 101\r\n" +
        "a=rtpmap:8 PCMA/8000\r\n" +
        "a=rtpmap:101 telephone-event/8000\r\n" +
        "a=fmtp:101 0-11,16\r\n";

    [Fact]
    public void ParsesAnOfferAndWritesItBackUnchanged()
    {
        var sdp = SessionDescription.Parse(SippOffer);

        Assert.Equal("user1", sdp.Origin.Username);
        Assert.Equal(2353687637UL, sdp.Origin.SessionVersion);
        Assert.Equal("127.0.0.1", sdp.Connection!.Address);
        var audio = Assert.Single(sdp.Media);
        Assert.Equal(6000, audio.Port);
        Assert.Equal(["8", "101"], audio.Formats);
        Assert.Equal(new SdpRtpMap(101, "telephone-event", 8000, 1), audio.RtpMap("101"));
        Assert.Equal(SippOffer, sdp.ToString());
    }

    [Fact]
    public void KnowsStaticPayloadTypesWithoutRtpmapAndReadsMediaLevelAttributes()
    {
        var sdp = SessionDescription.Parse(
            "v=0\no=- 1 1 IN IP6 ::1\ns=x\nt=0 0\nb=AS:64\nm=audio 5004/2 RTP/AVP 0 8\nc=IN IP6 ::1\na=ptime:30\na=maxptime:40\na=rtcp:5010 IN IP6 ::2\na=sendonly\n");

        var audio = sdp.Media[0];
        Assert.Equal(2, audio.PortCount);
        Assert.Equal("PCMU", audio.RtpMap("0")!.Encoding);
        Assert.Equal("PCMA", audio.RtpMap("8")!.Encoding);
        Assert.Equal(30, audio.Ptime);
        Assert.Equal(40, audio.MaxPtime);
        Assert.Equal(new SdpRtcpAttribute(5010, new SdpConnection("IP6", "::2")), audio.Rtcp);
        Assert.Equal(MediaDirection.SendOnly, MediaDirections.Of(sdp, audio));
        Assert.Contains(new SdpLine('b', "AS:64"), sdp.OtherLines);
    }

    public static TheoryData<string, string> Malformed() => new()
    {
        { "", "empty" },
        { "o=- 1 1 IN IP4 1.2.3.4\r\n", "v=0" },
        { "v=1\r\no=- 1 1 IN IP4 1.2.3.4\r\ns=-\r\nt=0 0\r\n", "v=0" },
        { "v=0\r\ns=-\r\n", "o= line" },
        { "v=0\r\no=- x 1 IN IP4 1.2.3.4\r\ns=-\r\nt=0 0\r\n", "o= needs" },
        { "v=0\r\no=- 1 1 IN IP4 1.2.3.4\r\ns=-\r\n", "no t= line" },
        { "v=0\r\no=- 1 1 IN IP4 1.2.3.4\r\ns=-\r\nt=0 0\r\nm=audio 70000 RTP/AVP 0\r\nc=IN IP4 1.2.3.4\r\n", "port" },
        { "v=0\r\no=- 1 1 IN IP4 1.2.3.4\r\ns=-\r\nt=0 0\r\nm=audio 4000 RTP/AVP 0 abc\r\nc=IN IP4 1.2.3.4\r\n", "payload type" },
        { "v=0\r\no=- 1 1 IN IP4 1.2.3.4\r\ns=-\r\nt=0 0\r\nm=audio 4000 RTP/AVP 0\r\n", "no connection address" },
        { "v=0\r\no=- 1 1 IN IP4 1.2.3.4\r\ns=-\r\nc=IN IP4 ::1\r\nt=0 0\r\n", "does not match" },
        { "v=0\r\no=- 1 1 IN IP4 1.2.3.4\r\ns=-\r\nc=IN IP4 bad_host!\r\nt=0 0\r\n", "neither" },
        { "v=0\r\no=- 1 1 IN IP4 1.2.3.4\r\ns=-\r\nt=0 0\r\nX=1\r\n", "<letter>=<value>" },
        { "v=0\r\no=- 1 1 IN IP4 1.2.3.4\r\ns=-\r\nt=0 0\r\ny=1\r\n", "unknown line type" },
        { "v=0\r\no=- 1 1 IN IP4 1.2.3.4\r\ns=-\r\nt=0 0\r\n\r\na=x\r\n", "empty" },
        { "v=0\r\no=- 1 1 IN IP4 1.2.3.4\r\ns=-\r\nt=0 0\r\na=bad name\r\n", "token" },
        { "v=0\r\no=- 1 1 IN IP4 1.2.3.4\r\ns=-\r\nt=0 0\r\nv=0\r\n", "only once" },
        { "v=0\r\no=- 1 1 IN IP4 1.2.3.4\r\ns=-\r\nt=now 0\r\n", "t= needs" },
    };

    [Theory]
    [MemberData(nameof(Malformed))]
    public void RefusesMalformedDescriptionsWithAClearError(string text, string expected)
    {
        var error = Assert.Throws<SdpFormatException>(() => SessionDescription.Parse(text));

        Assert.Contains(expected, error.Message, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public void RefusesInvalidUtf8AndNulBytes()
    {
        var valid = Encoding.UTF8.GetBytes(SippOffer);
        var invalid = valid.ToArray();
        invalid[30] = 0xFF;
        var nul = valid.ToArray();
        nul[30] = 0;

        Assert.Contains("UTF-8", Assert.Throws<SdpFormatException>(() => SessionDescription.Parse(invalid)).Message);
        Assert.Contains("NUL", Assert.Throws<SdpFormatException>(() => SessionDescription.Parse(nul)).Message);
    }

    [Fact]
    public void EnforcesItsLimits()
    {
        var tooBig = SippOffer + new string('x', 0) + string.Concat(Enumerable.Repeat("a=x-filler:0123456789\r\n", 800));
        var manyMedia = "v=0\r\no=- 1 1 IN IP4 1.2.3.4\r\ns=-\r\nc=IN IP4 1.2.3.4\r\nt=0 0\r\n" + string.Concat(Enumerable.Repeat("m=audio 4000 RTP/AVP 0\r\n", 17));
        var manyAttributes = SippOffer + string.Concat(Enumerable.Repeat("a=x\r\n", 130));
        var longLine = SippOffer + "a=x:" + new string('y', 1100) + "\r\n";
        var manyFormats = "v=0\r\no=- 1 1 IN IP4 1.2.3.4\r\ns=-\r\nc=IN IP4 1.2.3.4\r\nt=0 0\r\nm=audio 4000 RTP/AVP " + string.Join(' ', Enumerable.Range(0, 70)) + "\r\n";

        Assert.Contains("bytes", Assert.Throws<SdpFormatException>(() => SessionDescription.Parse(tooBig)).Message);
        Assert.Contains("media descriptions", Assert.Throws<SdpFormatException>(() => SessionDescription.Parse(manyMedia)).Message);
        Assert.Contains("attributes", Assert.Throws<SdpFormatException>(() => SessionDescription.Parse(manyAttributes)).Message);
        Assert.Contains("longer", Assert.Throws<SdpFormatException>(() => SessionDescription.Parse(longLine)).Message);
        Assert.Contains("formats", Assert.Throws<SdpFormatException>(() => SessionDescription.Parse(manyFormats)).Message);
    }

    [Fact]
    public void RandomMutationsOfARealOfferNeverThrowAnythingButFormatErrors()
    {
        var random = new Random(4566);
        var seed = Encoding.UTF8.GetBytes(SippOffer + "a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:WVNfX19zZW1jdGwgKCkgewkyMjA7fQp9CnVubGVz\r\n");
        for (var round = 0; round < 20_000; round++)
        {
            var bytes = seed.ToArray();
            for (var flips = random.Next(1, 6); flips > 0; flips--)
            {
                bytes[random.Next(bytes.Length)] = (byte)random.Next(256);
            }
            try
            {
                var sdp = SessionDescription.Parse(bytes);
                SessionDescription.Parse(sdp.ToBytes());
            }
            catch (SdpFormatException)
            {
            }
        }
    }
}
