namespace Contacto.CarrierSim;

/// <summary>Admits at most N events in each one-second window of the injected clock.</summary>
internal sealed class ThroughputCap(TimeProvider time)
{
    private readonly Lock _lock = new();
    private long _window = -1;
    private long _count;

    public bool TryAdmit(double perSecond)
    {
        if (perSecond <= 0)
        {
            return true;
        }
        lock (_lock)
        {
            var window = time.GetTimestamp() / time.TimestampFrequency;
            if (window != _window)
            {
                (_window, _count) = (window, 0);
            }
            if (_count >= perSecond)
            {
                return false;
            }
            _count++;
            return true;
        }
    }
}
