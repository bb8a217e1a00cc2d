namespace Contacto.Messaging;

/// <summary>Wakes the dispatcher when this node queues work, so a message does not wait for the next poll.</summary>
internal sealed class MessageSignal(TimeProvider time)
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
