using Contacto.Media.Audio;
using Contacto.Media.Codecs;
using Contacto.Media.Engine;
using Contacto.Media.Recording;
using Contacto.Media.Sdp;
using Contacto.Media.Tests.Support;

namespace Contacto.Media.Tests.Recording;

public sealed class RecordingTests
{
    private static (CallRecording Recording, MemorySink Sink) Recorder(RecordingOptions options, MemorySink? sink = null)
    {
        sink ??= new MemorySink();
        return (new CallRecording(options, sink), sink);
    }

    private static short[] Frame(short value) => Enumerable.Repeat(value, 80).ToArray();

    [Theory]
    [InlineData(316)]
    [InlineData(322)]
    [InlineData(4 * 1024 * 1024 + 4)]
    public void AChunkSizeOutsideTheLimitsIsRefused(int bytes)
    {
        Assert.Throws<ArgumentException>(() => Recorder(new RecordingOptions { ChunkBytes = bytes }));
    }

    [Fact]
    public async Task ChunksAreFixedSizeSelfDescribingAndInOrder()
    {
        var (recording, sink) = Recorder(new RecordingOptions { Audio = RecordedAudio.Both, Stereo = true, ChunkBytes = 1600 });
        for (short i = 0; i < 26; i++)
        {
            recording.Append(Frame(i), Frame((short)-i));
        }
        recording.Stop();
        var summary = await recording.Completion;

        Assert.Equal(RecordingEndReason.Stopped, summary.Reason);
        Assert.Equal(2080, summary.Frames);
        Assert.Equal(TimeSpan.FromMilliseconds(260), summary.Duration);
        Assert.Equal(new RecordingFormat(8000, 2), summary.Format);
        Assert.Equal(6, summary.Chunks);
        Assert.Equal([0, 1, 2, 3, 4, 5], sink.Chunks.Select(c => c.Index));
        Assert.Equal([0L, 400, 800, 1200, 1600, 2000], sink.Chunks.Select(c => c.FirstFrame));
        Assert.All(sink.Chunks.SkipLast(1), c => Assert.Equal(1600, c.Pcm.Length));
        Assert.Equal((320, true), (sink.Chunks[^1].Pcm.Length, sink.Chunks[^1].IsLast));
        var samples = sink.Samples();
        Assert.Equal(new short[] { 25, -25 }, samples[^2..]);     // left inbound, right outbound
    }

    [Theory]
    [InlineData(false, 332)]
    [InlineData(true, 1000)]
    public async Task ChunkBoundariesInsideAFrameLoseAndReorderNothing(bool stereo, int chunkBytes)
    {
        var (recording, sink) = Recorder(new RecordingOptions { Audio = stereo ? RecordedAudio.Both : RecordedAudio.Inbound, Stereo = stereo, ChunkBytes = chunkBytes });
        var inbound = Enumerable.Range(0, 800).Select(i => (short)i).ToArray();
        var outbound = inbound.Select(s => (short)-s).ToArray();
        foreach (var (heard, said) in inbound.Chunk(80).Zip(outbound.Chunk(80)))
        {
            recording.Append(heard, said);
        }
        recording.Stop();
        await recording.Completion;

        var expected = stereo ? inbound.Zip(outbound).SelectMany(p => new[] { p.First, p.Second }).ToArray() : inbound;
        Assert.Equal(expected, sink.Samples());
        Assert.All(sink.Chunks.SkipLast(1), c => Assert.Equal(chunkBytes, c.Pcm.Length));
        Assert.Equal(sink.Chunks.Select(c => c.FirstFrame), sink.Chunks.Select((c, i) => (long)i * chunkBytes / (stereo ? 4 : 2)));
    }

    [Fact]
    public async Task MonoKeepsOneSideOrTheMix()
    {
        var (inbound, inSink) = Recorder(new RecordingOptions { Audio = RecordedAudio.Inbound });
        var (outbound, outSink) = Recorder(new RecordingOptions { Audio = RecordedAudio.Outbound });
        var (mixed, mixSink) = Recorder(new RecordingOptions { Audio = RecordedAudio.Both });
        foreach (var r in new[] { inbound, outbound, mixed })
        {
            r.Append(Frame(30000), Frame(10000));
            r.Stop();
            await r.Completion;
        }

        Assert.All(inSink.Samples(), s => Assert.Equal(30000, s));
        Assert.All(outSink.Samples(), s => Assert.Equal(10000, s));
        Assert.All(mixSink.Samples(), s => Assert.Equal(short.MaxValue, s));
    }

    [Fact]
    public async Task MaxDurationSilenceAndFinishKeysEndIt()
    {
        var (timed, _) = Recorder(new RecordingOptions { MaxDuration = TimeSpan.FromMilliseconds(105) });
        var frames = 0;
        while (timed.Append(Frame(1000), Frame(0)))
        {
            frames++;
        }
        var byTime = await timed.Completion;
        Assert.Equal((RecordingEndReason.MaxDuration, 840L), (byTime.Reason, byTime.Frames));

        var (quiet, _) = Recorder(new RecordingOptions { SilenceTimeout = TimeSpan.FromMilliseconds(500) });
        for (var i = 0; i < 30; i++)
        {
            quiet.Append(Frame(3000), Frame(0));
        }
        var ticks = 0;
        while (quiet.Append(Frame(50), Frame(3000)))
        {
            ticks++;
        }
        var bySilence = await quiet.Completion;
        Assert.Equal(RecordingEndReason.Silence, bySilence.Reason);
        Assert.Equal(49, ticks);

        var (keyed, _) = Recorder(new RecordingOptions { FinishOnKeys = "#*" });
        keyed.Append(Frame(1), Frame(1));
        keyed.OnDigit('5');
        Assert.True(keyed.IsRecording);
        keyed.OnDigit('#');
        var byKey = await keyed.Completion;
        Assert.Equal((RecordingEndReason.FinishKey, (char?)'#'), (byKey.Reason, byKey.FinishKey));
        Assert.False(keyed.Append(Frame(1), Frame(1)));
    }

    [Theory]
    [InlineData(320)]
    [InlineData(332)]       // a chunk that ends inside a frame
    public async Task ASlowSinkFailsTheRecordingInsteadOfHoldingAudioWithoutBound(int chunkBytes)
    {
        var release = new TaskCompletionSource();
        var sink = new MemorySink { OnWrite = _ => release.Task };
        var (recording, _) = Recorder(new RecordingOptions { ChunkBytes = chunkBytes, MaxPendingChunks = 2 }, sink);
        var appended = 0;
        while (recording.Append(Frame(1), Frame(1)) && appended < 100)
        {
            appended++;
        }
        release.SetResult();
        var summary = await recording.Completion;

        Assert.Equal(RecordingEndReason.SinkFailed, summary.Reason);
        Assert.True(appended < 10);
        Assert.Equal(summary.Chunks, sink.Chunks.Count);
        Assert.All(sink.Chunks, c => Assert.Equal(chunkBytes, c.Pcm.Length));
    }

    [Fact]
    public async Task AFailingSinkEndsTheRecordingAndStillGetsTheSummary()
    {
        var sink = new MemorySink { OnWrite = c => c.Index == 1 ? throw new IOException("disk full") : Task.CompletedTask };
        var (recording, _) = Recorder(new RecordingOptions { ChunkBytes = 320 }, sink);
        for (var i = 0; i < 10 && recording.Append(Frame(1), Frame(1)); i++)
        {
            await Task.Delay(5);
        }
        recording.Stop();

        var summary = await recording.Completion;
        Assert.Equal(RecordingEndReason.SinkFailed, summary.Reason);
        Assert.Single(sink.Chunks);
        Assert.Same(summary, sink.Summary);
    }

    [Fact]
    public async Task ABridgedCallPassesAudioBothWaysTranscodesAndIsRecorded()
    {
        await using var engine = Legs.Engine(loops: 2);
        // Caller A talks PCMU to the platform's leg A1; B talks PCMA to leg B1; A1 and B1 are bridged.
        var (a, a1, _, _) = Legs.Call(engine, new MediaCapabilities { Encodings = [AudioEncoding.Pcmu] });
        var (b, b1, _, bMedia) = Legs.Call(engine, new MediaCapabilities { Encodings = [AudioEncoding.Pcma], PtimeMilliseconds = 30 });
        await using var _a = a;
        await using var _a1 = a1;
        await using var _b = b;
        await using var _b1 = b1;
        Assert.Equal(AudioEncoding.Pcma, bMedia.Encoding);
        using var bridge = MediaBridge.Connect(engine, a1, b1);
        var sink = new MemorySink();
        var recording = bridge.StartRecording(new RecordingOptions { Stereo = true }, sink);
        var heardByB = new MemorySink();
        var bRecording = b.StartRecording(new RecordingOptions(), heardByB);

        var aTalks = a.PlayAsync(new PcmAudioSource(Signal.Tone(500, 1.0)));
        var bTalks = b.PlayAsync(new PcmAudioSource(Signal.Tone(1500, 1.0)));
        await Task.WhenAll(aTalks, bTalks).WaitAsync(TimeSpan.FromSeconds(20));
        await Task.Delay(400);
        recording.Stop();
        bRecording.Stop();
        await Task.WhenAll(recording.Completion, bRecording.Completion).WaitAsync(TimeSpan.FromSeconds(20));

        var stereo = sink.Samples();
        var left = stereo.Where((_, i) => i % 2 == 0).ToArray();
        var right = stereo.Where((_, i) => i % 2 == 1).ToArray();
        Assert.InRange(left.Chunk(80).Count(f => Signal.Rms(f) > 3000), 90, 102);    // A's 1 s
        Assert.InRange(right.Chunk(80).Count(f => Signal.Rms(f) > 3000), 90, 102);   // B's 1 s
        Assert.InRange(heardByB.Samples().Chunk(80).Count(f => Signal.Rms(f) > 3000), 90, 102);
        Assert.Equal(stereo.Length / 2, sink.Summary!.Frames);
    }
}
