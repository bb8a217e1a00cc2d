namespace Contacto.Carriers;

/// <summary>Which carriers may take traffic now (in the manner of YARP's available-destinations policy).</summary>
internal interface ICarrierAvailabilityPolicy
{
    bool IsAvailable(Carrier carrier, DateTimeOffset now);
}

/// <summary>Which of the available carriers takes the next request (in the manner of YARP's load-balancing policy).</summary>
internal interface ICarrierChoicePolicy
{
    /// <returns>One of <paramref name="available"/>, or null when it is empty.</returns>
    Carrier? Choose(IReadOnlyList<Carrier> available, DateTimeOffset now);
}

/// <summary>Available while a link is up and the breaker admits traffic.</summary>
internal sealed class LinkAndBreakerAvailability : ICarrierAvailabilityPolicy
{
    public bool IsAvailable(Carrier carrier, DateTimeOffset now) => carrier.Breaker.Admits(carrier.Connection.IsReady, now);
}

/// <summary>A random draw by weight, each weight reduced while its carrier recovers.</summary>
internal sealed class WeightedChoice : ICarrierChoicePolicy
{
    public Carrier? Choose(IReadOnlyList<Carrier> available, DateTimeOffset now)
    {
        var total = available.Sum(carrier => Weight(carrier, now));
        var draw = Random.Shared.NextDouble() * total;
        foreach (var carrier in available)
        {
            draw -= Weight(carrier, now);
            if (draw < 0)
                return carrier;
        }
        return available.Count > 0 ? available[^1] : null;
    }

    static double Weight(Carrier carrier, DateTimeOffset now) => carrier.Weight * carrier.Breaker.Share(now);
}
