namespace Contacto.Carriers;

/// <summary>
/// Keeps traffic away from a failing carrier and lets it back gradually: consecutive failures
/// open the circuit for a while; after an outage (links down or circuit open) the carrier's
/// share grows back from a tenth of its weight over the recovery ramp.
/// </summary>
internal sealed class CarrierBreaker(CarriersOptions settings)
{
    readonly Lock gate = new();
    volatile CarriersOptions settings = settings;
    int consecutiveFailures;
    DateTimeOffset openUntil = DateTimeOffset.MinValue;
    bool wasDown;
    DateTimeOffset? recoveringSince;

    public void Reconfigure(CarriersOptions changed) => settings = changed;

    /// <summary>Whether traffic may go to the carrier now; notes the start and end of outages for the ramp.</summary>
    public bool Admits(bool linkReady, DateTimeOffset now)
    {
        lock (gate)
        {
            if (!linkReady || now < openUntil)
            {
                wasDown = true;
                return false;
            }
            if (wasDown)
                (wasDown, recoveringSince) = (false, now);
            return true;
        }
    }

    /// <summary>The part of its weight the carrier gets now: all of it, or less while recovering.</summary>
    public double Share(DateTimeOffset now)
    {
        lock (gate)
        {
            var ramp = TimeSpan.FromSeconds(settings.RecoveryRampSeconds);
            if (recoveringSince is not { } since || ramp <= TimeSpan.Zero || now - since >= ramp)
                return 1;
            return 0.1 + 0.9 * ((now - since) / ramp);
        }
    }

    public bool IsOpen(DateTimeOffset now)
    {
        lock (gate)
            return now < openUntil;
    }

    public void Succeeded()
    {
        lock (gate)
            consecutiveFailures = 0;
    }

    /// <summary>Counts a failure; returns true when this one opened the circuit.</summary>
    public bool Failed(DateTimeOffset now)
    {
        lock (gate)
        {
            if (++consecutiveFailures < settings.BreakerFailures)
                return false;
            consecutiveFailures = 0;
            openUntil = now + TimeSpan.FromMilliseconds(settings.BreakerOpenMilliseconds);
            wasDown = true;
            return true;
        }
    }
}
