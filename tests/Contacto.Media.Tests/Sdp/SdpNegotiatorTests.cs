using System.Net;
using Contacto.Media.Codecs;
using Contacto.Media.Sdp;
using Contacto.Media.Srtp;

namespace Contacto.Media.Tests.Sdp;

public sealed class SdpNegotiatorTests
{
    private static readonly IPAddress Local = IPAddress.Parse("127.0.0.1");

    private static SdpNegotiator Leg(MediaCapabilities? capabilities = null, int port = 20000) =>
        new(capabilities ?? new MediaCapabilities(), Local, port);

    [Fact]
    public void AnswersSippsOfferWithPcmaTelephoneEventAndItsOwnAddress()
    {
        var (answer, media) = Leg().Answer(SessionDescription.Parse(SessionDescriptionTests.SippOffer));

        Assert.Equal(AudioEncoding.Pcma, media.Encoding);
        Assert.Equal(8, media.PayloadType);
        Assert.Equal(101, media.TelephoneEventPayloadType);
        Assert.Equal(new IPEndPoint(Local, 6000), media.RemoteRtp);
        Assert.Equal(new IPEndPoint(Local, 6001), media.RemoteRtcp);
        Assert.Equal(20, media.SendPtimeMilliseconds);
        Assert.Equal(MediaDirection.SendRecv, media.Direction);
        Assert.False(media.IsSecure);

        var audio = Assert.Single(SessionDescription.Parse(answer.ToBytes()).Media);
        Assert.Equal(20000, audio.Port);
        Assert.Equal("RTP/AVP", audio.Protocol);
        Assert.Equal(["8", "101"], audio.Formats);
        Assert.Contains(new SdpAttribute("fmtp", "101 0-11,16"), audio.Attributes);
        Assert.Contains(new SdpAttribute("rtcp", "20001"), audio.Attributes);
        Assert.Contains(new SdpAttribute("sendrecv"), audio.Attributes);
        Assert.Equal("127.0.0.1", answer.Connection!.Address);
    }

    [Fact]
    public void AnOfferAndItsAnswerAgreeOnBothSides()
    {
        var caller = Leg(new MediaCapabilities { Encodings = [AudioEncoding.Pcma, AudioEncoding.Pcmu], PtimeMilliseconds = 30 }, 30000);
        var callee = Leg(new MediaCapabilities { PtimeMilliseconds = 10 }, 40000);

        var offer = caller.CreateOffer();
        var (answer, calleeMedia) = callee.Answer(SessionDescription.Parse(offer.ToBytes()));
        var callerMedia = caller.AcceptAnswer(SessionDescription.Parse(answer.ToBytes()));

        Assert.Equal(AudioEncoding.Pcma, calleeMedia.Encoding);
        Assert.Equal(AudioEncoding.Pcma, callerMedia.Encoding);
        Assert.Equal(30, calleeMedia.SendPtimeMilliseconds);
        Assert.Equal(10, callerMedia.SendPtimeMilliseconds);
        Assert.Equal(101, callerMedia.TelephoneEventPayloadType);
        Assert.Equal(40000, callerMedia.RemoteRtp!.Port);
        Assert.Equal(30000, calleeMedia.RemoteRtp!.Port);
    }

    [Fact]
    public void HoldAndResumeByReInvite()
    {
        var caller = Leg(port: 30000);
        var callee = Leg(port: 40000);
        callee.Answer(caller.CreateOffer());

        var holdOffer = caller.CreateOffer(MediaDirection.SendOnly);
        var (holdAnswer, calleeOnHold) = callee.Answer(SessionDescription.Parse(holdOffer.ToBytes()));
        var callerHolding = caller.AcceptAnswer(holdAnswer);

        Assert.Equal(MediaDirection.RecvOnly, calleeOnHold.Direction);
        Assert.True(calleeOnHold.RemoteHold);
        Assert.Contains(new SdpAttribute("recvonly"), holdAnswer.Media[0].Attributes);
        Assert.Equal(MediaDirection.SendOnly, callerHolding.Direction);
        Assert.True(holdOffer.Origin.SessionVersion > 0);

        var resume = caller.CreateOffer();
        var (_, calleeResumed) = callee.Answer(resume);
        Assert.Equal(MediaDirection.SendRecv, calleeResumed.Direction);
        Assert.False(calleeResumed.RemoteHold);
        Assert.Equal(holdOffer.Origin.SessionVersion + 1, resume.Origin.SessionVersion);
        Assert.Equal(holdOffer.Origin.SessionId, resume.Origin.SessionId);
    }

    [Fact]
    public void OldStyleHoldWithAnUnspecifiedAddressAndInactiveStreams()
    {
        var zero = SessionDescriptionTests.SippOffer.Replace("c=IN IP4 127.0.0.1", "c=IN IP4 0.0.0.0");
        var inactive = SessionDescriptionTests.SippOffer + "a=inactive\r\n";

        var (_, onHold) = Leg().Answer(SessionDescription.Parse(zero));
        var (answer, off) = Leg().Answer(SessionDescription.Parse(inactive));

        Assert.True(onHold.RemoteHold);
        Assert.Null(onHold.RemoteRtp);
        Assert.Equal(MediaDirection.Inactive, off.Direction);
        Assert.Contains(new SdpAttribute("inactive"), answer.Media[0].Attributes);
    }

    [Fact]
    public void AnswersSdesWithItsOwnKeyUnderTheOfferersTag()
    {
        var offer = SessionDescription.Parse(SessionDescriptionTests.SippOffer.Replace("RTP/AVP", "RTP/SAVP") +
            "a=crypto:1 AES_256_CM_HMAC_SHA1_80 inline:8AbZePWwsKhLGX3GlXA+yHYPQ3cgraer/9DkFJYCOPZZy3o9wC0NIbIFYZfyHw==\r\n" +
            "a=crypto:2 AES_CM_128_HMAC_SHA1_80 inline:cJOJ7kxQjhFBp2fP6AYjs3vKw7CeBdWZCj0isbJv|2^31|1:4\r\n" +
            "a=crypto:3 AES_CM_128_HMAC_SHA1_32 inline:VAzLKvoE3jG9cdH/AZsl/ZqWNXrUzyM4Gw6chrFr|2^31\r\n");

        var (answer, media) = Leg().Answer(offer);

        Assert.True(media.IsSecure);
        Assert.Equal(SrtpSuite.AesCm128HmacSha1_32, media.ReceiveKey!.Suite);
        Assert.Equal(Convert.FromBase64String("VAzLKvoE3jG9cdH/AZsl/ZqWNXrUzyM4Gw6chrFr")[..16], media.ReceiveKey.MasterKey);
        var crypto = Assert.Single(answer.Media[0].AttributesNamed("crypto"));
        Assert.StartsWith("3 AES_CM_128_HMAC_SHA1_32 inline:", crypto.Value);
        Assert.True(SdpCrypto.TryParse(crypto.Value, out var ours));
        Assert.Equal(media.SendKey!.MasterKey, ours.Key.MasterKey);
        Assert.NotEqual(media.ReceiveKey.MasterKey, media.SendKey.MasterKey);
        Assert.Equal("RTP/SAVP", answer.Media[0].Protocol);
        Assert.DoesNotContain("VAzL", media.ToString());
    }

    [Fact]
    public void ASecureOfferAndAnswerGiveEachSideTheOthersKey()
    {
        var required = new MediaCapabilities { Srtp = SrtpPolicy.Required };
        var caller = Leg(required, 30000);
        var callee = Leg(required, 40000);

        var offer = caller.CreateOffer();
        var (answer, calleeMedia) = callee.Answer(SessionDescription.Parse(offer.ToBytes()));
        var callerMedia = caller.AcceptAnswer(SessionDescription.Parse(answer.ToBytes()));

        Assert.Equal(2, offer.Media[0].AttributesNamed("crypto").Count());
        Assert.Equal(callerMedia.SendKey!.MasterKey, calleeMedia.ReceiveKey!.MasterKey);
        Assert.Equal(calleeMedia.SendKey!.MasterSalt, callerMedia.ReceiveKey!.MasterSalt);
        Assert.Equal(SrtpSuite.AesCm128HmacSha1_80, callerMedia.SendKey.Suite);
    }

    [Fact]
    public void RefusesWhatItCannotAcceptAsNotAcceptable()
    {
        var g729 = SessionDescriptionTests.SippOffer.Replace("RTP/AVP 8 101", "RTP/AVP 18 101");
        var video = "v=0\r\no=- 1 1 IN IP4 1.2.3.4\r\ns=-\r\nc=IN IP4 1.2.3.4\r\nt=0 0\r\nm=video 4000 RTP/AVP 96\r\n";

        Assert.Contains("no encoding in common", Assert.Throws<SdpNegotiationException>(() => Leg().Answer(SessionDescription.Parse(g729))).Message);
        Assert.Contains("requires SRTP", Assert.Throws<SdpNegotiationException>(() =>
            Leg(new MediaCapabilities { Srtp = SrtpPolicy.Required }).Answer(SessionDescription.Parse(SessionDescriptionTests.SippOffer))).Message);
        Assert.Contains("does not take it", Assert.Throws<SdpNegotiationException>(() =>
            Leg(new MediaCapabilities { Srtp = SrtpPolicy.Off }).Answer(SessionDescription.Parse(SessionDescriptionTests.SippOffer.Replace("RTP/AVP", "RTP/SAVP")))).Message);
        Assert.Contains("crypto", Assert.Throws<SdpNegotiationException>(() =>
            Leg().Answer(SessionDescription.Parse(SessionDescriptionTests.SippOffer.Replace("RTP/AVP", "RTP/SAVP")))).Message);
        Assert.Throws<SdpNegotiationException>(() => Leg().Answer(SessionDescription.Parse(video)));
    }

    [Fact]
    public void RejectsOtherStreamsWithPortZeroAndKeepsTheirPlaces()
    {
        var offer = SessionDescription.Parse(
            "v=0\r\no=- 1 1 IN IP4 1.2.3.4\r\ns=-\r\nc=IN IP4 1.2.3.4\r\nt=0 0\r\n" +
            "m=video 4002 RTP/AVP 96\r\na=rtpmap:96 H264/90000\r\n" +
            "m=audio 4000 RTP/AVP 96 0\r\na=rtpmap:96 PCMU/8000\r\na=ptime:10\r\n");

        var (answer, media) = Leg().Answer(offer);

        Assert.Equal(2, answer.Media.Count);
        Assert.Equal(("video", 0), (answer.Media[0].MediaType, answer.Media[0].Port));
        Assert.Equal(AudioEncoding.Pcmu, media.Encoding);
        Assert.Equal(96, media.PayloadType);
        Assert.Null(media.TelephoneEventPayloadType);
        Assert.Equal(10, media.SendPtimeMilliseconds);
        Assert.Equal(["96"], answer.Media[1].Formats);
    }

    [Theory]
    [InlineData("a=ptime:30\r\n", 30)]
    [InlineData("a=ptime:40\r\n", 20)]
    [InlineData("a=ptime:30\r\na=maxptime:20\r\n", 20)]
    [InlineData("a=maxptime:10\r\n", 10)]
    public void SendsWithThePacketTimeThePeerAsksFor(string attributes, int expected)
    {
        var (_, media) = Leg().Answer(SessionDescription.Parse(SessionDescriptionTests.SippOffer + attributes));

        Assert.Equal(expected, media.SendPtimeMilliseconds);
    }

    [Fact]
    public void AnAnswerThatRejectsTheStreamOrChangesTheProtocolFails()
    {
        var caller = Leg();
        caller.CreateOffer();
        var rejected = SessionDescription.Parse("v=0\r\no=- 1 1 IN IP4 1.2.3.4\r\ns=-\r\nt=0 0\r\nm=audio 0 RTP/AVP 0\r\n");
        Assert.Throws<SdpNegotiationException>(() => caller.AcceptAnswer(rejected));

        caller.CreateOffer();
        Assert.Throws<SdpNegotiationException>(() => caller.AcceptAnswer(SessionDescription.Parse(SessionDescriptionTests.SippOffer.Replace("RTP/AVP", "RTP/SAVP"))));
        Assert.Throws<InvalidOperationException>(() => caller.AcceptAnswer(rejected));
    }
}
