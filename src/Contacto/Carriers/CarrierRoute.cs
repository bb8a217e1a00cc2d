using Contacto.Smpp.Client;

namespace Contacto.Carriers;

/// <summary>
/// One carrier as routing sees it: its SMPP binds, the countries it serves, its weight, and a
/// circuit breaker. A carrier is available while a bind is up and its circuit is closed; after an
/// outage its share grows back from a tenth of its weight over the recovery ramp. Weight,
/// countries and the breaker settings change in place (<see cref="Reconfigure"/>).
/// </summary>
public sealed class CarrierRoute(SmppCarrier carrier, CarrierOptions options, CarriersOptions settings)
{
    readonly Lock gate = new();
    volatile CarrierOptions options = options;
    volatile CarriersOptions settings = settings;
    int consecutiveFailures;
    DateTimeOffset openUntil = DateTimeOffset.MinValue;
    bool wasDown;
    DateTimeOffset? recoveringSince;

    public string Name => carrier.Name;
    public SmppCarrier Carrier => carrier;

    /// <summary>The settings the carrier runs with now.</summary>
    public CarrierOptions Options => options;
    public int Weight => options.Weight;
    public bool ServesEveryCountry => options.Countries.Count == 0 || options.Countries.Contains("*");
    public IReadOnlyList<string> Countries => options.Countries;

    /// <summary>True once a bind of this carrier has been up since start.</summary>
    public bool HasBeenUp { get; internal set; }

    /// <summary>True once <see cref="Start"/> has connected the binds.</summary>
    public bool Started { get; private set; }

    public void Start()
    {
        Started = true;
        carrier.Start();
    }

    /// <summary>Takes new routing settings; the binds' settings must be unchanged.</summary>
    internal void Reconfigure(CarrierOptions changed, CarriersOptions changedSettings) =>
        (options, settings) = (changed, changedSettings);

    public bool Serves(string country) => ServesEveryCountry || options.Countries.Contains(country);

    public bool IsAvailable(DateTimeOffset now)
    {
        lock (gate)
        {
            if (!carrier.CanSubmit || now < openUntil)
            {
                wasDown = true;
                return false;
            }
            if (wasDown)
                (wasDown, recoveringSince) = (false, now);
            return true;
        }
    }

    /// <summary>The weight to route by now: the configured weight, reduced while recovering.</summary>
    public double EffectiveWeight(DateTimeOffset now)
    {
        lock (gate)
        {
            var ramp = TimeSpan.FromSeconds(settings.RecoveryRampSeconds);
            if (recoveringSince is not { } since || ramp <= TimeSpan.Zero || now - since >= ramp)
                return options.Weight;
            return options.Weight * (0.1 + 0.9 * ((now - since) / ramp));
        }
    }

    public bool IsCircuitOpen(DateTimeOffset now)
    {
        lock (gate)
            return now < openUntil;
    }

    public void Succeeded()
    {
        lock (gate)
            consecutiveFailures = 0;
    }

    /// <summary>Counts a failed submit; returns true when this one opened the circuit.</summary>
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
