namespace Contacto.Smpp.Client;

/// <summary>
/// Exponential back-off with jitter: attempt n waits a random time between half and all of
/// min x 2^n (capped), so many binds that dropped together do not reconnect in step.
/// </summary>
internal sealed class ReconnectBackoff(TimeSpan min, TimeSpan max, Random random)
{
    private int _attempt;

    public TimeSpan Next()
    {
        var ceiling = Math.Min(max.TotalMilliseconds, min.TotalMilliseconds * Math.Pow(2, _attempt));
        if (_attempt < 30)
        {
            _attempt++;
        }
        return TimeSpan.FromMilliseconds(ceiling / 2 + random.NextDouble() * ceiling / 2);
    }

    /// <summary>The longest wait: for refusals that retrying soon cannot fix (bad password).</summary>
    public TimeSpan Longest() => max;

    public void Reset() => _attempt = 0;
}
