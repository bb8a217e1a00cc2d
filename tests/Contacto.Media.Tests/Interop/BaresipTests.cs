using System.Net;
using Contacto.Media.Audio;
using Contacto.Media.Codecs;
using Contacto.Media.Engine;
using Contacto.Media.Recording;
using Contacto.Media.Sdp;
using Contacto.Media.Tests.Support;
using Contacto.Sip.Dialogs;
using Contacto.Sip.Messages;
using Contacto.Sip.Transport;

namespace Contacto.Media.Tests.Interop;

/// <summary>
/// baresip, a phone Contacto did not write (its own SDP, RTP, RTCP, RFC 4733 and SRTP from libre),
/// at the other end of a call set up with Contacto.Sip on loopback: this library's offer and answer,
/// audio both ways, digits both ways, SRTP, and baresip's RTCP about what it received.
/// </summary>
public sealed class BaresipTests
{
    [Theory]
    [InlineData(AudioEncoding.Pcmu, false)]
    [InlineData(AudioEncoding.Pcma, false)]
    [InlineData(AudioEncoding.Pcmu, true)]
    public async Task BaresipAnswersOurOfferAudioAndDigitsPassBothWays(AudioEncoding encoding, bool srtp)
    {
        await using var phone = await Baresip.StartAsync(srtp);
        await using var sip = new SipTransportLayer(new SipTransportOptions { Udp = new IPEndPoint(IPAddress.Loopback, 0) });
        sip.Start();
        var agent = new SipUserAgent(sip, new SipUserAgentOptions { ContactUser = "contacto" });
        await using var engine = Legs.Engine();
        await using var leg = engine.CreateSession();
        var negotiator = new SdpNegotiator(new MediaCapabilities { Encodings = [encoding], Srtp = srtp ? SrtpPolicy.Required : SrtpPolicy.Optional },
            IPAddress.Loopback, leg.RtpPort);

        var call = agent.Call(new SipCallOptions
        {
            RequestUri = SipUri.Parse($"sip:phone@127.0.0.1:{phone.Port}"),
            From = SipNameAddress.Parse("<sip:contacto@127.0.0.1>"),
            To = SipNameAddress.Parse($"<sip:phone@127.0.0.1:{phone.Port}>"),
            Target = new SipTarget(SipTransports.Udp, phone.EndPoint),
            Offer = negotiator.CreateOffer().ToBytes(),
        });
        var (response, dialog) = await call.Completion.WaitAsync(TimeSpan.FromSeconds(20));
        Assert.True(response.StatusCode == 200, $"{response.StatusCode}\n{phone.Output}");
        var media = negotiator.AcceptAnswer(SessionDescription.Parse(response.Body));
        Assert.Equal((encoding, srtp), (media.Encoding, media.IsSecure));
        Assert.NotNull(media.TelephoneEventPayloadType);
        leg.Apply(media);

        await HearEachOtherAsync(leg, phone);

        // baresip's RTCP: a receiver report about our stream, with nothing lost.
        await Legs.Until(() => leg.Quality.RemoteCumulativeLost is not null, "baresip's report on our stream");
        Assert.Equal(0, leg.Quality.RemoteCumulativeLost);

        // We stop sending, the last packets land, and at the call's end baresip sums up what it
        // received of ours: every packet, none lost.
        leg.Apply(media with { Direction = MediaDirection.Inactive });
        await Task.Delay(300);
        var sent = leg.Quality.PacketsSent;
        Assert.Equal(200, (await dialog!.ByeAsync().WaitAsync(TimeSpan.FromSeconds(20))).StatusCode);
        var summary = (await phone.WaitForAsync(@"EX=BareSip;CS=\d+;CD=\d+;PR=(\d+);PS=(\d+);PL=(-?\d+),(-?\d+);"))[0];
        Assert.Equal(sent, long.Parse(summary.Groups[1].Value));
        Assert.Equal("0", summary.Groups[3].Value);
    }

    [Fact]
    public async Task OurAnswerToBaresipsOfferCarriesTheCall()
    {
        await using var phone = await Baresip.StartAsync();
        await using var sip = new SipTransportLayer(new SipTransportOptions { Udp = new IPEndPoint(IPAddress.Loopback, 0) });
        sip.Start();
        var agent = new SipUserAgent(sip, new SipUserAgentOptions { ContactUser = "contacto" });
        await using var engine = Legs.Engine();
        await using var leg = engine.CreateSession();
        var answered = new TaskCompletionSource<SipDialog>(TaskCreationOptions.RunContinuationsAsynchronously);
        agent.IncomingCall = incoming =>
        {
            var (answer, media) = new SdpNegotiator(new MediaCapabilities(), IPAddress.Loopback, leg.RtpPort).Answer(SessionDescription.Parse(incoming.Request.Body));
            leg.Apply(media);
            answered.SetResult(incoming.Accept(answer.ToBytes()));
        };

        await phone.TypeAsync($"/dial sip:service@127.0.0.1:{sip.LocalEndPoint(SipTransports.Udp)!.Port}\n");
        var dialog = await answered.Task.WaitAsync(TimeSpan.FromSeconds(20));
        await phone.WaitForAsync("CALL_ESTABLISHED|Call established|established");

        await HearEachOtherAsync(leg, phone);

        await phone.TypeAsync("/hangup\n");
        Assert.Equal(SipDialogEnd.RemoteBye, await dialog.Ended.WaitAsync(TimeSpan.FromSeconds(20)));
    }

    /// <summary>
    /// We hear baresip's 440 Hz, its digits reach us each once, ours reach it each once; our own
    /// tone goes out all the while.
    /// </summary>
    private static async Task HearEachOtherAsync(MediaSession leg, Baresip phone)
    {
        var sink = new MemorySink();
        var recording = leg.StartRecording(new RecordingOptions(), sink);
        _ = leg.PlayAsync(new PcmAudioSource(Signal.Tone(1000, 1.0), loops: 0));
        await Legs.Until(() => leg.Quality.PacketsReceived >= 100, "two seconds of baresip's audio");

        await phone.TypeAsync("1");
        await Task.Delay(400);
        await phone.TypeAsync("5");
        await Task.Delay(400);
        await phone.TypeAsync("9");
        Assert.Equal(['1', '5', '9'], await Legs.Collect(leg, 3));
        // A marker pressed after them: a repeat of any of them (baresip sends each end packet three times) would come before it.
        await phone.TypeAsync("0");
        Assert.Equal(['0'], await Legs.Collect(leg, 1));

        // Ours, then a marker the same way: a repeat would reach baresip before it.
        await leg.SendDigitsAsync("27").WaitAsync(TimeSpan.FromSeconds(20));
        await leg.SendDigitsAsync("3").WaitAsync(TimeSpan.FromSeconds(20));
        await phone.WaitForAsync(Received('3'));
        Assert.Single(System.Text.RegularExpressions.Regex.Matches(phone.Output, Received('2')));
        Assert.Single(System.Text.RegularExpressions.Regex.Matches(phone.Output, Received('7')));

        recording.Stop();
        await recording.Completion;
        var quality = leg.Quality;
        Assert.Equal((0L, 0L), (quality.PacketsLost, quality.AuthenticationFailures));
        // What we heard is baresip's 440 Hz sine: the second half-second of audio, once playing.
        var heard = sink.Samples().SkipWhile(s => s == 0).Skip(4000).Take(4000).ToArray();
        Assert.True(heard.Length == 4000 && Signal.Rms(heard) > 1000, $"heard {heard.Length} samples at RMS {Signal.Rms(heard):0}");
        Assert.True(Power(heard, 440) > 100 * Power(heard, 1000), "the tone heard is 440 Hz");
    }

    private static string Received(char digit) => $@"""type"":""CALL_DTMF_START""[^}}]*""param"":""{digit}""";

    private static double Power(short[] samples, double frequency)
    {
        var coefficient = 2 * Math.Cos(2 * Math.PI * frequency / 8000);
        double s1 = 0, s2 = 0;
        foreach (var sample in samples)
        {
            (s1, s2) = (sample + coefficient * s1 - s2, s1);
        }
        return s1 * s1 + s2 * s2 - coefficient * s1 * s2;
    }
}
