using System.Diagnostics.Metrics;
using Contacto.Smpp.Client;

namespace Contacto.Carriers;

/// <summary>Carrier health and routing, exported on the ops plane's /metrics.</summary>
public sealed class CarrierMetrics
{
    public const string MeterName = "Contacto.Carriers";

    readonly Meter meter;
    readonly Counter<long> bindChanges;
    readonly Counter<long> submits;
    readonly Counter<long> failovers;
    CarrierPool? pool;

    public CarrierMetrics(IMeterFactory meters, TimeProvider time)
    {
        meter = meters.Create(MeterName);
        bindChanges = meter.CreateCounter<long>("contacto_carrier_bind_changes", description: "Bind state changes by carrier and new state");
        submits = meter.CreateCounter<long>("contacto_carrier_submits", description: "Message submits by carrier and outcome (accepted, rejected, throttled, error)");
        failovers = meter.CreateCounter<long>("contacto_carrier_failovers", description: "Messages moved to another carrier, by the carrier that failed");
        meter.CreateObservableGauge("contacto_carrier_available", () => Each(r => r.IsAvailable(time.GetUtcNow()) ? 1 : 0),
            description: "1 while a carrier can take traffic (a bind up, circuit closed)");
        meter.CreateObservableGauge("contacto_carrier_binds_up", () => Each(r => r.Carrier.Health.Count(h => h.IsUp)),
            description: "Binds up per carrier");
        meter.CreateObservableGauge("contacto_carrier_country_carriers",
            () => (pool?.Coverage ?? new Dictionary<string, int>()).Select(c => new Measurement<int>(c.Value, new KeyValuePair<string, object?>("country", c.Key))),
            description: "Carriers configured per country named in the configuration (\"*\": every other country); production needs Carriers:MinimumPerCountry");
    }

    internal void Observe(CarrierPool carriers) => pool = carriers;

    public void BindStateChanged(string carrier, BindHealth health) =>
        bindChanges.Add(1, new("carrier", carrier), new("state", health.State.ToString()));

    public void Submitted(string carrier, string outcome) => submits.Add(1, new("carrier", carrier), new("outcome", outcome));

    public void FailedOver(string carrier) => failovers.Add(1, new KeyValuePair<string, object?>("carrier", carrier));

    IEnumerable<Measurement<int>> Each(Func<CarrierRoute, int> value) =>
        (pool?.Routes ?? []).Select(r => new Measurement<int>(value(r), new KeyValuePair<string, object?>("carrier", r.Name)));
}
