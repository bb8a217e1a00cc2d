using Contacto.Smpp.Client;

namespace Contacto.Smpp.Tests.Client;

public sealed class ReconnectBackoffTests
{
    [Fact]
    public void GrowsExponentiallyWithJitterUpToTheCap()
    {
        var backoff = new ReconnectBackoff(TimeSpan.FromMilliseconds(100), TimeSpan.FromSeconds(1), new Random(1));

        var delays = Enumerable.Range(0, 8).Select(_ => backoff.Next().TotalMilliseconds).ToArray();

        Assert.InRange(delays[0], 50, 100);
        Assert.InRange(delays[1], 100, 200);
        Assert.InRange(delays[2], 200, 400);
        Assert.All(delays[4..], d => Assert.InRange(d, 500, 1000));
    }

    [Fact]
    public void JitterSpreadsBindsThatDroppedTogether()
    {
        var random = new Random(7);
        var firstDelays = Enumerable.Range(0, 20)
            .Select(_ => new ReconnectBackoff(TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(30), random).Next())
            .ToHashSet();

        Assert.True(firstDelays.Count > 15);
    }

    [Fact]
    public void ResetStartsOverAndRefusalsWaitTheLongest()
    {
        var backoff = new ReconnectBackoff(TimeSpan.FromMilliseconds(100), TimeSpan.FromSeconds(30), new Random(3));
        for (var i = 0; i < 5; i++)
        {
            backoff.Next();
        }

        backoff.Reset();

        Assert.InRange(backoff.Next().TotalMilliseconds, 50, 100);
        Assert.Equal(TimeSpan.FromSeconds(30), backoff.Longest());
    }
}
