using System.Net;
using Contacto.Media.Engine;
using Contacto.Media.Recording;
using Contacto.Media.Sdp;

namespace Contacto.Media.Tests.Support;

/// <summary>Engines and legs on loopback, and waiting on conditions with a deadline.</summary>
internal static class Legs
{
    public static MediaEngine Engine(int loops = 1, bool symmetric = true) => new(new MediaEngineOptions
    {
        BindAddress = IPAddress.Loopback,
        MinPort = 20000,
        MaxPort = 29999,
        PacingLoops = loops,
        SymmetricRtp = symmetric,
        RtcpInterval = TimeSpan.FromMilliseconds(200),
    });

    /// <summary>Two legs that offered and answered each other; returns them with what each negotiated.</summary>
    public static (MediaSession Caller, MediaSession Callee, NegotiatedMedia CallerMedia, NegotiatedMedia CalleeMedia) Call(
        MediaEngine engine, MediaCapabilities? caller = null, MediaCapabilities? callee = null)
    {
        var a = engine.CreateSession();
        var b = engine.CreateSession();
        var offerer = new SdpNegotiator(caller ?? new MediaCapabilities(), IPAddress.Loopback, a.RtpPort);
        var answerer = new SdpNegotiator(callee ?? new MediaCapabilities(), IPAddress.Loopback, b.RtpPort);
        var (answer, calleeMedia) = answerer.Answer(SessionDescription.Parse(offerer.CreateOffer().ToBytes()));
        var callerMedia = offerer.AcceptAnswer(SessionDescription.Parse(answer.ToBytes()));
        a.Apply(callerMedia);
        b.Apply(calleeMedia);
        return (a, b, callerMedia, calleeMedia);
    }

    public static async Task Until(Func<bool> condition, string what, int seconds = 20)
    {
        var deadline = DateTime.UtcNow.AddSeconds(seconds);
        while (!condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"Timed out waiting for {what}.");
            }
            await Task.Delay(10);
        }
    }

    public static async Task<List<char>> Collect(MediaSession session, int count, int seconds = 20)
    {
        var digits = new List<char>();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(seconds));
        while (digits.Count < count)
        {
            digits.Add((await session.Digits.ReadAsync(timeout.Token)).Digit);
        }
        return digits;
    }
}

/// <summary>A sink that keeps chunks in memory (what the platform would seal and store).</summary>
internal sealed class MemorySink : IRecordingSink
{
    public List<RecordingChunk> Chunks { get; } = [];
    public List<byte> Pcm { get; } = [];
    public RecordingSummary? Summary { get; private set; }
    public Func<RecordingChunk, Task>? OnWrite { get; init; }

    public async ValueTask WriteChunkAsync(RecordingChunk chunk, CancellationToken cancellationToken)
    {
        if (OnWrite is not null)
        {
            await OnWrite(chunk);
        }
        Chunks.Add(chunk with { Pcm = chunk.Pcm.ToArray() });
        Pcm.AddRange(chunk.Pcm.ToArray());
    }

    public ValueTask CompleteAsync(RecordingSummary summary, CancellationToken cancellationToken)
    {
        Summary = summary;
        return ValueTask.CompletedTask;
    }

    public short[] Samples()
    {
        var bytes = Pcm.ToArray();
        var samples = new short[bytes.Length / 2];
        Buffer.BlockCopy(bytes, 0, samples, 0, samples.Length * 2);
        return samples;
    }
}
