using Microsoft.Extensions.Logging;

namespace Contacto.Carriers;

/// <summary>
/// Where every product's traffic gets its carrier: draws an available carrier of the country
/// and product, hands it the request, and fails over to the next until one takes it. Counts each
/// carrier's successes and failures for its breaker, and each attempt in the metrics.
/// </summary>
internal sealed partial class CarrierRouter
{
    /// <summary>A carrier asking to slow down is asked again after this, on any carrier.</summary>
    static readonly TimeSpan AfterThrottling = TimeSpan.FromSeconds(1);

    /// <summary>The country's carriers are all out (down, circuit open) for now.</summary>
    static readonly TimeSpan AfterOutage = TimeSpan.FromMilliseconds(200);

    readonly CarrierPool pool;
    readonly ICarrierAvailabilityPolicy availability;
    readonly ICarrierChoicePolicy choice;
    readonly CarrierMetrics metrics;
    readonly TimeProvider time;
    readonly ILogger logger;

    internal CarrierRouter(CarrierPool pool, ICarrierAvailabilityPolicy availability, ICarrierChoicePolicy choice, CarrierMetrics metrics, TimeProvider time, ILogger<CarrierRouter> logger) =>
        (this.pool, this.availability, this.choice, this.metrics, this.time, this.logger) = (pool, availability, choice, metrics, time, logger);

    /// <summary>
    /// Hands <paramref name="request"/> to a carrier of <paramref name="country"/>, failing over on
    /// refusals and link failures; a carrier that throttles ends the attempt (to retry later), and
    /// so does a destination that declined (a callee reached: never rung again through another).
    /// Cancellation stops it only between carriers or before a carrier saw the request.
    /// </summary>
    public async Task<CarrierOutcome> SendAsync(string country, CarrierRequest request, CancellationToken cancellationToken)
    {
        var tried = new HashSet<Carrier>();
        CarrierError? refusal = null;
        while (Next(country, request.Product, tried) is { } carrier)
        {
            tried.Add(carrier);
            var attempt = await carrier.Connection.SendAsync(request, cancellationToken);
            metrics.Attempted(carrier.Name, request.Product, attempt.Result);
            switch (attempt.Result)
            {
                case AttemptResult.Accepted:
                    carrier.Breaker.Succeeded();
                    return CarrierOutcome.Accepted(carrier.Name, attempt.References, attempt.Units, attempt.Call);
                case AttemptResult.Declined:
                    carrier.Breaker.Succeeded();
                    return CarrierOutcome.Refused(attempt.Error);
                case AttemptResult.Throttled:
                    return CarrierOutcome.TemporaryFailure(AfterThrottling);
                case AttemptResult.Refused:
                    refusal = attempt.Error;
                    break;
            }
            if (carrier.Breaker.Failed(time.GetUtcNow()))
                LogCircuitOpened(carrier.Name);
            metrics.FailedOver(carrier.Name, request.Product);
        }
        if (refusal is { } error)
            return CarrierOutcome.Refused(error);
        return HasCarrierFor(country, request.Product) ? CarrierOutcome.TemporaryFailure(AfterOutage) : CarrierOutcome.NoCarrier;
    }

    /// <summary>True when some carrier, up or not, is configured for the country and product.</summary>
    public bool HasCarrierFor(string country, string product) => pool.Carriers.Any(c => c.Serves(country, product));

    Carrier? Next(string country, string product, HashSet<Carrier> tried)
    {
        var now = time.GetUtcNow();
        return choice.Choose([.. pool.Carriers.Where(c => c.Serves(country, product) && !tried.Contains(c) && availability.IsAvailable(c, now))], now);
    }

    [LoggerMessage(EventId = 1101, Level = LogLevel.Warning, Message = "Carrier {Carrier} circuit opened after repeated failures")]
    partial void LogCircuitOpened(string carrier);
}
