using System.Buffers.Binary;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Contacto.Media.Codecs;
using Contacto.Media.Dtmf;
using Contacto.Media.Engine;
using Contacto.Media.Recording;
using Contacto.Media.Sdp;
using Contacto.Media.Tests.Sdp;
using Contacto.Media.Tests.Support;

namespace Contacto.Media.Tests.Interop;

/// <summary>
/// SIPp's own RTP captures (Debian's sip-tester: /usr/share/sip-tester) replayed at their
/// recorded pace into a leg that answered SIPp's offer, as SIPp's -mp playback would send them.
/// </summary>
public sealed class SippCaptureTests
{
    private const string Captures = "/usr/share/sip-tester";

    private static async Task Replay(IEnumerable<(TimeSpan At, byte[] Payload)> packets, Socket from, IPEndPoint to)
    {
        var clock = Stopwatch.StartNew();
        foreach (var (at, payload) in packets)
        {
            var wait = at - clock.Elapsed;
            if (wait > TimeSpan.Zero)
            {
                await Task.Delay(wait);
            }
            from.SendTo(payload, to);
        }
    }

    /// <summary>The packets with their RTP sequence numbers and timestamps moved on.</summary>
    private static List<(TimeSpan At, byte[] Payload)> Restamped(IEnumerable<(TimeSpan At, byte[] Payload)> packets, ushort sequence, uint timestamp) =>
        [.. packets.Select(p =>
        {
            var payload = p.Payload.ToArray();
            BinaryPrimitives.WriteUInt16BigEndian(payload.AsSpan(2), (ushort)(BinaryPrimitives.ReadUInt16BigEndian(payload.AsSpan(2)) + sequence));
            BinaryPrimitives.WriteUInt32BigEndian(payload.AsSpan(4), BinaryPrimitives.ReadUInt32BigEndian(payload.AsSpan(4)) + timestamp);
            return (p.At, payload);
        })];

    private static (MediaSession Session, Socket Peer) Answered(MediaEngine engine)
    {
        var peer = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        peer.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        var session = engine.CreateSession();
        var offer = SessionDescriptionTests.SippOffer.Replace("m=audio 6000", $"m=audio {((IPEndPoint)peer.LocalEndPoint!).Port}");
        var (_, media) = new SdpNegotiator(new MediaCapabilities(), IPAddress.Loopback, session.RtpPort).Answer(SessionDescription.Parse(offer));
        session.Apply(media);
        return (session, peer);
    }

    [Fact]
    public async Task SippsThirtyMillisecondPcmaCaptureIsReceivedWholeAndRecorded()
    {
        Assert.True(File.Exists($"{Captures}/g711a.pcap"), "sip-tester is not installed (scripts/test installs it)");
        var packets = Pcap.UdpPayloads($"{Captures}/g711a.pcap");
        Assert.Equal(236, packets.Count);
        await using var engine = Legs.Engine();
        var (session, peer) = Answered(engine);
        await using var endSession = session;
        using var endPeer = peer;
        var sink = new MemorySink();
        var recording = session.StartRecording(new RecordingOptions(), sink);

        await Replay(packets, peer, new IPEndPoint(IPAddress.Loopback, session.RtpPort));
        // A stalled loop (a loaded machine) plays what waited later: all of it, before the stop.
        await Legs.Until(() => session.Quality.BufferedMilliseconds == 0, "the playout buffer to play out");
        recording.Stop();
        await recording.Completion;

        var quality = session.Quality;
        Assert.Equal(236, quality.PacketsReceived);
        Assert.Equal(0, quality.PacketsLost);
        Assert.Equal(0, quality.LatePackets);
        // What was heard is the capture's audio, decoded, frame by frame and in order. A-law never
        // decodes to 0, so all-zero frames are the playout buffer's waits, which load may cause;
        // frames it skipped to shrink its delay are the only audio allowed to be missing.
        var expected = packets.SelectMany(p => p.Payload[12..]).Select(G711.DecodeALaw).Chunk(80).ToList();
        var heard = sink.Samples().Chunk(80).Where(f => f.Any(s => s != 0)).ToList();
        Assert.InRange(heard.Count, expected.Count - quality.DiscardedMilliseconds / 10, expected.Count);
        var next = 0;
        foreach (var frame in heard)
        {
            while (next < expected.Count && !expected[next].SequenceEqual(frame))
            {
                next++;
            }
            Assert.True(next < expected.Count, "a heard frame is not in the capture, or out of order");
            next++;
        }
        // And the peer got audio back at the address its packets came from.
        Assert.True(peer.Available > 0);
    }

    [Fact]
    public async Task EveryDigitOfSippsRfc4733CapturesIsDetectedExactlyOnce()
    {
        var files = Enumerable.Range(0, 10).Select(d => (d.ToString(), (char)('0' + d))).Append(("star", '*')).Append(("pound", '#')).ToArray();
        Assert.True(File.Exists($"{Captures}/dtmf_2833_0.pcap"), "sip-tester is not installed (scripts/test installs it)");
        await using var engine = Legs.Engine();
        var (session, peer) = Answered(engine);
        await using var endSession = session;
        using var endPeer = peer;
        var target = new IPEndPoint(IPAddress.Loopback, session.RtpPort);

        foreach (var (name, _) in files)
        {
            var packets = Pcap.UdpPayloads($"{Captures}/dtmf_2833_{name}.pcap");
            Assert.Equal(10, packets.Count);
            await Replay(packets, peer, target);
            // The same capture again is the same event (same SSRC and timestamp): not a new press.
            await Replay(packets, peer, target);
        }
        var digits = await Legs.Collect(session, files.Length);
        // The "1" capture once more as a new press (later sequence numbers and timestamp): a
        // marker that arrives after anything the replays could still have produced.
        await Replay(Restamped(Pcap.UdpPayloads($"{Captures}/dtmf_2833_1.pcap"), 1000, 160_000), peer, target);

        Assert.Equal(files.Select(f => f.Item2), digits);
        Assert.Equal(['1'], await Legs.Collect(session, 1));
    }
}
