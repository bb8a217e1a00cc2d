namespace Contacto.Smpp.Client;

/// <summary>
/// Token bucket for submits per second on one bind. Throttling answers halve the rate and
/// pause sending; each accepted submit wins back 1 % of the configured rate.
/// A configured rate of 0 means unlimited, yet throttling still pauses.
/// </summary>
internal sealed class TransactionRateLimiter
{
    private const double MinimumRate = 1;
    private const double RecoveryPerAccepted = 0.01;

    private readonly double _configured;
    private readonly TimeProvider _time;
    private readonly Lock _lock = new();
    private double _rate;
    private double _tokens;
    private long _lastRefill;
    private long _pausedUntil;

    public TransactionRateLimiter(double transactionsPerSecond, TimeProvider time)
    {
        _configured = transactionsPerSecond;
        _rate = transactionsPerSecond;
        _time = time;
        _tokens = Capacity;
        _lastRefill = time.GetTimestamp();
    }

    public double CurrentRate
    {
        get
        {
            lock (_lock)
            {
                return _rate;
            }
        }
    }

    private bool Unlimited => _configured <= 0;

    // A twentieth of a second's worth: smooth, yet not one timer per message at high rates.
    private double Capacity => Math.Max(1, _rate / 20);

    public async ValueTask WaitAsync(CancellationToken cancellationToken)
    {
        while (TryTake() is { } wait)
        {
            await Task.Delay(wait, _time, cancellationToken).ConfigureAwait(false);
        }
    }

    public void OnThrottled(TimeSpan pause)
    {
        lock (_lock)
        {
            _pausedUntil = _time.GetTimestamp() + (long)(pause.TotalSeconds * _time.TimestampFrequency);
            if (!Unlimited)
            {
                _rate = Math.Max(MinimumRate, _rate / 2);
                _tokens = 0;
            }
        }
    }

    public void OnAccepted()
    {
        if (Unlimited)
        {
            return;
        }
        lock (_lock)
        {
            _rate = Math.Min(_configured, _rate + _configured * RecoveryPerAccepted);
        }
    }

    /// <summary>Takes a token and returns null, or returns how long to wait before trying again.</summary>
    private TimeSpan? TryTake()
    {
        lock (_lock)
        {
            var now = _time.GetTimestamp();
            if (now < _pausedUntil)
            {
                return AtLeastOneMillisecond((double)(_pausedUntil - now) / _time.TimestampFrequency);
            }
            if (Unlimited)
            {
                return null;
            }
            var elapsed = (double)(now - _lastRefill) / _time.TimestampFrequency;
            _lastRefill = now;
            _tokens = Math.Min(Capacity, _tokens + elapsed * _rate);
            if (_tokens >= 1)
            {
                _tokens -= 1;
                return null;
            }
            return AtLeastOneMillisecond((1 - _tokens) / _rate);
        }
    }

    // Timers wake a little early at times; a wait that rounds to nothing would then spin.
    private static TimeSpan AtLeastOneMillisecond(double seconds) =>
        TimeSpan.FromTicks(Math.Max(TimeSpan.TicksPerMillisecond, (long)Math.Ceiling(seconds * TimeSpan.TicksPerSecond)));
}
