using System.Diagnostics.Metrics;

namespace Contacto.Carriers;

/// <summary>Carrier health and routing, exported on the ops plane's /metrics.</summary>
internal sealed class CarrierMetrics
{
    public const string MeterName = "Contacto.Carriers";

    readonly Counter<long> linkChanges;
    readonly Counter<long> attempts;
    readonly Counter<long> failovers;
    CarrierPool? pool;

    public CarrierMetrics(IMeterFactory meters, TimeProvider time)
    {
        var meter = meters.Create(MeterName);
        linkChanges = meter.CreateCounter<long>("contacto.carrier.bind.changes", "{change}", "Link (SMPP bind) state changes by carrier and new state");
        attempts = meter.CreateCounter<long>("contacto.carrier.submits", "{request}", "Requests handed to a carrier, by carrier, product and outcome (accepted, rejected, declined, throttled, error)");
        failovers = meter.CreateCounter<long>("contacto.carrier.failovers", "{request}", "Requests moved to another carrier, by the carrier that failed and product");
        meter.CreateObservableGauge("contacto.carrier.available", () => Each(c => c.Breaker.IsOpen(time.GetUtcNow()) || !c.Connection.IsReady ? 0 : 1),
            description: "1 while a carrier can take traffic (a link up, circuit closed)");
        meter.CreateObservableGauge("contacto.carrier.binds_up", () => Each(c => c.Connection.Links.Count(l => l.IsUp)), "{bind}",
            description: "Links (SMPP binds) up per carrier");
        meter.CreateObservableGauge("contacto.carrier.tls", () => Each(c => c.Options.UsesTls ? 1 : 0),
            description: "1 when a carrier is reached over TLS, 0 when configured without (Tls false)");
        meter.CreateObservableGauge("contacto.carrier.country_carriers", CountryCarriers, "{carrier}",
            description: "Carriers configured per product and country named in the configuration (\"*\": every other country); production needs Carriers:MinimumPerCountry");
    }

    public void Observe(CarrierPool carriers) => pool = carriers;

    public void LinkChanged(string carrier, LinkHealth link) =>
        linkChanges.Add(1, new("carrier", carrier), new("state", link.State));

    public void Attempted(string carrier, string product, AttemptResult result) =>
        attempts.Add(1, new("carrier", carrier), new("product", product), new("outcome", result switch
        {
            AttemptResult.Accepted => "accepted",
            AttemptResult.Throttled => "throttled",
            AttemptResult.Refused => "rejected",
            AttemptResult.Declined => "declined",
            _ => "error",
        }));

    public void FailedOver(string carrier, string product) => failovers.Add(1, new("carrier", carrier), new("product", product));

    IEnumerable<Measurement<int>> Each(Func<Carrier, int> value) =>
        (pool?.Carriers ?? []).Select(c => new Measurement<int>(value(c), new KeyValuePair<string, object?>("carrier", c.Name)));

    IEnumerable<Measurement<int>> CountryCarriers() =>
        from product in pool?.Coverage ?? new Dictionary<string, IReadOnlyDictionary<string, int>>()
        from country in product.Value
        select new Measurement<int>(country.Value, new("product", product.Key), new("country", country.Key));
}
