using Contacto.Media.Engine;

namespace Contacto.Media.Tests.Engine;

public sealed class JitterBufferTests
{
    private static short[] Packet(int index, int samples) => Enumerable.Repeat((short)(index + 1), samples).ToArray();

    private static List<short> Play(JitterBuffer buffer, int frames)
    {
        var played = new List<short>();
        var frame = new short[80];
        for (var i = 0; i < frames; i++)
        {
            buffer.Pull(frame);
            played.Add(frame[0]);
        }
        return played;
    }

    [Theory]
    [InlineData(80)]
    [InlineData(160)]
    [InlineData(240)]
    public void PlaysTenTwentyAndThirtyMillisecondPacketsInOrderEvenWhenReordered(int samples)
    {
        var buffer = new JitterBuffer();
        uint start = 4_000_000_000;      // the timestamp wraps during the run
        var order = new[] { 0, 2, 1, 3, 5, 4, 6, 7 };
        foreach (var i in order)
        {
            buffer.Push(start + (uint)(i * samples), Packet(i, samples));
        }

        var played = Play(buffer, 8 * samples / 80).ToArray();

        var expected = Enumerable.Range(0, 8).SelectMany(i => Enumerable.Repeat((short)(i + 1), samples / 80)).ToArray();
        Assert.Equal(expected, played);
        Assert.Equal(0, buffer.ConcealedSlots);
    }

    [Fact]
    public void WaitsForTheTargetConcealsLossAndDropsLatePackets()
    {
        var buffer = new JitterBuffer(minimumDelayMilliseconds: 40);
        buffer.Push(0, Packet(0, 160));
        Assert.Equal([0], Play(buffer, 1));        // 20 ms buffered, target is 40 at least

        buffer.Push(160, Packet(1, 160));
        buffer.Push(480, Packet(3, 160));          // packet 2 lost
        var played = Play(buffer, 6);

        Assert.Equal([1, 1, 2, 2, 0, 0], played);
        Assert.Equal(2, buffer.ConcealedSlots);
        buffer.Push(320, Packet(2, 160));          // arrives after its time
        Assert.Equal(1, buffer.Late);
    }

    [Fact]
    public void AnUnderrunRaisesTheTargetAndAStandingExcessIsTrimmed()
    {
        var buffer = new JitterBuffer(minimumDelayMilliseconds: 40, maximumDelayMilliseconds: 200);
        buffer.Push(0, Packet(0, 160));
        buffer.Push(160, Packet(1, 160));
        var target = buffer.TargetSamples;
        Play(buffer, 6);                           // plays 40 ms, then runs dry
        Assert.True(buffer.Underruns >= 1);
        Assert.True(buffer.TargetSamples > target);

        var deep = new JitterBuffer(minimumDelayMilliseconds: 40);
        for (var i = 0; i < 40; i++)
        {
            deep.Push((uint)(i * 160), Packet(i, 160));   // 800 ms arrive at once
        }
        var frame = new short[80];
        for (var i = 0; i < 60; i++)
        {
            deep.Pull(frame);
        }
        Assert.True(deep.Skipped >= 1);
    }

    [Fact]
    public void AJumpInTheStreamStartsItAgain()
    {
        var buffer = new JitterBuffer();
        buffer.Push(0, Packet(0, 160));
        buffer.Push(160, Packet(1, 160));
        buffer.Push(10_000_000, Packet(7, 160));
        buffer.Push(10_000_160, Packet(8, 160));

        Assert.Equal([8, 8, 9, 9], Play(buffer, 4));
    }
}
