namespace Contacto.Platform;

/// <summary>
/// Wakes a worker when this node queued work for it, so the work does not wait for the next poll;
/// each capability's worker has its own (a subclass), so the container tells them apart.
/// </summary>
internal abstract class WorkSignal(TimeProvider time)
{
    readonly SemaphoreSlim pulse = new(0, 1);

    public void Notify()
    {
        if (pulse.CurrentCount == 0)
        {
            try
            {
                pulse.Release();
            }
            catch (SemaphoreFullException)
            {
                // Another caller woke it first: one pulse is enough.
            }
        }
    }

    /// <summary>Returns at the next notification or after <paramref name="timeout"/>.</summary>
    public async Task WaitAsync(TimeSpan timeout, CancellationToken cancellationToken)
    {
        using var either = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var woken = pulse.WaitAsync(either.Token);
        var elapsed = Task.Delay(timeout, time, either.Token);
        await Task.WhenAny(woken, elapsed);
        await either.CancelAsync();
        cancellationToken.ThrowIfCancellationRequested();
    }
}
