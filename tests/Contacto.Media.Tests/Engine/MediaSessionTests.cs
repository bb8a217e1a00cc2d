using System.Net;
using System.Net.Sockets;
using Contacto.Media.Audio;
using Contacto.Media.Codecs;
using Contacto.Media.Dtmf;
using Contacto.Media.Engine;
using Contacto.Media.Recording;
using Contacto.Media.Rtp;
using Contacto.Media.Sdp;
using Contacto.Media.Tests.Support;

namespace Contacto.Media.Tests.Engine;

public sealed class MediaSessionTests
{
    [Theory]
    [InlineData(AudioEncoding.Pcmu, 20, 20, false)]
    [InlineData(AudioEncoding.Pcma, 30, 10, false)]
    [InlineData(AudioEncoding.Pcmu, 20, 30, true)]
    public async Task AudioCrossesALoopbackCallWithEachSidesCodecPtimeAndKeys(AudioEncoding encoding, int callerPtime, int calleePtime, bool srtp)
    {
        await using var engine = Legs.Engine();
        var policy = srtp ? SrtpPolicy.Required : SrtpPolicy.Optional;
        var (caller, callee, callerMedia, _) = Legs.Call(engine,
            new MediaCapabilities { Encodings = [encoding], PtimeMilliseconds = callerPtime, Srtp = policy },
            new MediaCapabilities { PtimeMilliseconds = calleePtime, Srtp = policy });
        await using var endCaller = caller;
        await using var endCallee = callee;
        Assert.Equal(srtp, callerMedia.IsSecure);
        var sink = new MemorySink();
        var recording = callee.StartRecording(new RecordingOptions(), sink);

        Assert.True(await caller.PlayAsync(new PcmAudioSource(Signal.Tone(1000, 1.0))).WaitAsync(TimeSpan.FromSeconds(20)));
        await Legs.Until(() => callee.Quality.PacketsReceived >= 1000 / callerPtime, "the tone's packets");
        await Task.Delay(200);
        recording.Stop();
        await recording.Completion.WaitAsync(TimeSpan.FromSeconds(20));

        var heard = sink.Samples();
        var loud = heard.Chunk(80).Count(frame => Signal.Rms(frame) > 3000);
        // The 1 s tone in 10 ms frames, less what the playout buffer dropped after a stall of a
        // loaded machine (late packets, or a burst trimmed to bring the delay down).
        var quality = callee.Quality;
        var dropped = (int)(quality.DiscardedMilliseconds + quality.LatePackets * callerPtime) / 10;
        Assert.InRange(loud, 90 - dropped, 102);
        Assert.Equal(0, callee.Quality.PacketsLost);
        Assert.Equal(0, callee.Quality.AuthenticationFailures);
    }

    [Fact]
    public async Task RtcpReportsGiveBothSidesQualityFigures()
    {
        await using var engine = Legs.Engine();
        var (caller, callee, _, _) = Legs.Call(engine);
        await using var endCaller = caller;
        await using var endCallee = callee;

        await Legs.Until(() => caller.Quality.RemoteJitterMilliseconds is not null && caller.Quality.RoundTripMilliseconds is not null, "a receiver report with a round trip");

        var quality = caller.Quality;
        Assert.Equal(0, quality.RemoteCumulativeLost);
        Assert.InRange(quality.RoundTripMilliseconds!.Value, 0, 1000);
        Assert.True(callee.Quality.PacketsReceived > 0);
    }

    [Fact]
    public async Task DigitsSentAsTelephoneEventsArriveOnceEach()
    {
        await using var engine = Legs.Engine();
        var (caller, callee, _, _) = Legs.Call(engine);
        await using var endCaller = caller;
        await using var endCallee = callee;

        await caller.SendDigitsAsync("1234567890*#ABCD").WaitAsync(TimeSpan.FromSeconds(30));
        var digits = await Legs.Collect(callee, 16);
        // A marker sent after them: a repeat of any digit would arrive before it.
        await caller.SendDigitsAsync("5").WaitAsync(TimeSpan.FromSeconds(30));

        Assert.Equal("1234567890*#ABCD", new string(digits.ToArray()));
        Assert.Equal(['5'], await Legs.Collect(callee, 1));
    }

    [Fact]
    public async Task WithoutTelephoneEventDigitsGoAsTonesAndAreDetectedInBand()
    {
        await using var engine = Legs.Engine();
        var noEvents = new MediaCapabilities { TelephoneEventPayloadType = null };
        var (caller, callee, callerMedia, _) = Legs.Call(engine, noEvents, noEvents);
        await using var endCaller = caller;
        await using var endCallee = callee;
        Assert.Null(callerMedia.TelephoneEventPayloadType);

        await caller.SendDigitsAsync("159#").WaitAsync(TimeSpan.FromSeconds(30));
        var digits = await Legs.Collect(callee, 4);
        // A marker tone after them: a second detection of any tone would come before it.
        await caller.SendDigitsAsync("0").WaitAsync(TimeSpan.FromSeconds(30));

        Assert.Equal("159#", new string(digits.ToArray()));
        Assert.Equal(['0'], await Legs.Collect(callee, 1));
    }

    [Fact]
    public async Task SipInfoDigitsJoinTheSameStream()
    {
        await using var engine = Legs.Engine();
        await using var session = engine.CreateSession();

        Assert.True(session.ReceiveSipInfo("application/dtmf-relay", "Signal=5\r\nDuration=160\r\n"u8));
        Assert.True(session.ReceiveSipInfo("application/dtmf", "11"u8));
        Assert.False(session.ReceiveSipInfo("application/dtmf-relay", "Signal=X\r\n"u8));
        Assert.False(session.ReceiveSipInfo("text/plain", "5"u8));

        Assert.Equal(new DtmfDigit('5', DtmfSource.SipInfo), await session.Digits.ReadAsync());
        Assert.Equal(new DtmfDigit('#', DtmfSource.SipInfo), await session.Digits.ReadAsync());
    }

    [Fact]
    public async Task OnHoldTheHeldSideSendsNothing()
    {
        await using var engine = Legs.Engine();
        var a = engine.CreateSession();
        var b = engine.CreateSession();
        await using var endA = a;
        await using var endB = b;
        var caller = new SdpNegotiator(new MediaCapabilities(), IPAddress.Loopback, a.RtpPort);
        var callee = new SdpNegotiator(new MediaCapabilities(), IPAddress.Loopback, b.RtpPort);
        var (answer, calleeMedia) = callee.Answer(caller.CreateOffer());
        a.Apply(caller.AcceptAnswer(answer));
        b.Apply(calleeMedia);
        await Legs.Until(() => a.Quality.PacketsReceived > 5, "media before the hold");

        var (holdAnswer, held) = callee.Answer(caller.CreateOffer(MediaDirection.SendOnly));
        b.Apply(held);
        a.Apply(caller.AcceptAnswer(holdAnswer));
        // The windows are counted in the caller's packets, which go on during the hold: once five
        // have come, the pacing loop has passed the hold; over the next fifteen the held side sends nothing.
        var received = b.Quality.PacketsReceived;
        await Legs.Until(() => b.Quality.PacketsReceived >= received + 5, "the caller's audio during the hold");
        var sent = b.Quality.PacketsSent;
        await Legs.Until(() => b.Quality.PacketsReceived >= received + 20, "more of the caller's audio during the hold");

        Assert.Equal(sent, b.Quality.PacketsSent);
        var (resumeAnswer, resumed) = callee.Answer(caller.CreateOffer());
        b.Apply(resumed);
        a.Apply(caller.AcceptAnswer(resumeAnswer));
        await Legs.Until(() => b.Quality.PacketsSent > sent + 5, "media after the resume");
    }

    [Fact]
    public async Task SymmetricRtpAnswersTheAddressPacketsComeFromAndIgnoresStrangers()
    {
        await using var engine = Legs.Engine();
        await using var session = engine.CreateSession();
        using var natted = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        natted.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        using var stranger = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        stranger.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        // The SDP names a private address and port that nothing listens on.
        var negotiator = new SdpNegotiator(new MediaCapabilities(), IPAddress.Loopback, session.RtpPort);
        var offer = SessionDescription.Parse(Sdp.SessionDescriptionTests.SippOffer.Replace("m=audio 6000", "m=audio 9"));
        var (_, media) = negotiator.Answer(offer);
        session.Apply(media);
        var target = new IPEndPoint(IPAddress.Loopback, session.RtpPort);
        var packet = new byte[12 + 240];

        RtpHeader.Write(packet, false, 8, 1, 0, 0x5150);
        natted.SendTo(packet, target);
        RtpHeader.Write(packet, false, 8, 2, 240, 0x6666);
        stranger.SendTo(packet, target);

        var buffer = new byte[1500];
        natted.ReceiveTimeout = 5000;
        var received = natted.Receive(buffer);
        Assert.True(RtpHeader.TryParse(buffer.AsSpan(0, received), out var header));
        Assert.Equal((byte)8, header.PayloadType);
        Assert.Equal(natted.LocalEndPoint, session.RemoteEndPoint);
        await Legs.Until(() => session.Quality.DroppedPackets >= 1, "the stranger's packet dropped");
        Assert.Equal(0, stranger.Available);
    }

    [Fact]
    public async Task EndingALegFreesItsPortsAndEndsItsRecording()
    {
        await using var engine = Legs.Engine();
        var session = engine.CreateSession();
        var port = session.RtpPort;
        var sink = new MemorySink();
        var recording = session.StartRecording(new RecordingOptions(), sink);
        var inUse = engine.Ports.InUse;

        await session.DisposeAsync();

        Assert.Equal(inUse - 1, engine.Ports.InUse);
        Assert.Equal(RecordingEndReason.CallEnded, (await recording.Completion).Reason);
        using var probe = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        probe.Bind(new IPEndPoint(IPAddress.Loopback, port));
    }
}
