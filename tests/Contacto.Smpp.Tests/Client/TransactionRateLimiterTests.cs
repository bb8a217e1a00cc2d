using Contacto.Smpp.Client;
using Microsoft.Extensions.Time.Testing;

namespace Contacto.Smpp.Tests.Client;

public sealed class TransactionRateLimiterTests
{
    [Fact]
    public async Task SpacesSubmitsByTheConfiguredRate()
    {
        var time = new FakeTimeProvider();
        var limiter = new TransactionRateLimiter(10, time);

        await limiter.WaitAsync(CancellationToken.None);
        var second = limiter.WaitAsync(CancellationToken.None).AsTask();
        time.Advance(TimeSpan.FromMilliseconds(99));
        var earlyDone = second.IsCompleted;
        time.Advance(TimeSpan.FromMilliseconds(1));

        await second.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.False(earlyDone);
    }

    [Fact]
    public async Task ThrottlingHalvesTheRateAndPauses()
    {
        var time = new FakeTimeProvider();
        var limiter = new TransactionRateLimiter(100, time);

        limiter.OnThrottled(TimeSpan.FromSeconds(1));
        var waiting = limiter.WaitAsync(CancellationToken.None).AsTask();
        time.Advance(TimeSpan.FromMilliseconds(900));
        var pausedAt900 = !waiting.IsCompleted;
        time.Advance(TimeSpan.FromMilliseconds(200));

        await waiting.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.True(pausedAt900);
        Assert.Equal(50, limiter.CurrentRate);
    }

    [Fact]
    public void AcceptedSubmitsWinTheRateBackUpToTheConfiguredOne()
    {
        var limiter = new TransactionRateLimiter(100, new FakeTimeProvider());
        limiter.OnThrottled(TimeSpan.Zero);
        limiter.OnThrottled(TimeSpan.Zero);

        for (var i = 0; i < 50; i++)
        {
            limiter.OnAccepted();
        }
        var halfway = limiter.CurrentRate;
        for (var i = 0; i < 100; i++)
        {
            limiter.OnAccepted();
        }

        Assert.Equal(75, halfway, 3);
        Assert.Equal(100, limiter.CurrentRate);
    }

    [Fact]
    public async Task UnlimitedStillPausesOnThrottling()
    {
        var time = new FakeTimeProvider();
        var limiter = new TransactionRateLimiter(0, time);
        await limiter.WaitAsync(CancellationToken.None);

        limiter.OnThrottled(TimeSpan.FromSeconds(2));
        var waiting = limiter.WaitAsync(CancellationToken.None).AsTask();
        var pausedAtFirst = !waiting.IsCompleted;
        time.Advance(TimeSpan.FromSeconds(2));

        await waiting.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.True(pausedAtFirst);
    }
}
