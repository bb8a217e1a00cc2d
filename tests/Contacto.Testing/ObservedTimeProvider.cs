using System.Collections.Concurrent;
using Microsoft.Extensions.Time.Testing;

namespace Contacto.Testing;

/// <summary>
/// A fake clock that reports every timer armed on it, so a test can wait until the code under
/// test is really waiting (background loops start on their own thread) before moving time.
/// </summary>
public sealed class ObservedTimeProvider(DateTimeOffset start) : FakeTimeProvider(start)
{
    public ConcurrentQueue<(TimeSpan DueTime, TimeSpan Period)> Armed { get; } = new();

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        var timer = base.CreateTimer(callback, state, dueTime, period);
        Armed.Enqueue((dueTime, period));
        return timer;
    }

    /// <summary>Waits (within bounds) until a timer matching <paramref name="match"/> has been armed.</summary>
    public Task WaitForTimerAsync(Func<TimeSpan, TimeSpan, bool> match) =>
        WaitForTimerAsync(armed => armed.Any(t => match(t.DueTime, t.Period)));

    /// <summary>Waits (within bounds) until the timers armed so far satisfy <paramref name="condition"/>.</summary>
    public async Task WaitForTimerAsync(Func<IReadOnlyCollection<(TimeSpan DueTime, TimeSpan Period)>, bool> condition)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        while (!condition(Armed))
        {
            timeout.Token.ThrowIfCancellationRequested();
            await Task.Yield();
        }
    }
}
