using Microsoft.Extensions.Time.Testing;

namespace Contacto.Smpp.Tests.Support;

/// <summary>A fake clock that tells when code starts waiting for a given due time.</summary>
internal sealed class ObservedFakeTime(TimeSpan watchedDueTime) : FakeTimeProvider
{
    private readonly TaskCompletionSource _waiting = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public Task Waiting => _waiting.Task.WaitAsync(Loopback.Patience);

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        var timer = base.CreateTimer(callback, state, dueTime, period);
        if (dueTime == watchedDueTime)
        {
            _waiting.TrySetResult();
        }
        return timer;
    }
}
