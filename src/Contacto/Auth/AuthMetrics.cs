using System.Diagnostics.Metrics;

namespace Contacto.Auth;

/// <summary>Counters for API authentication, exported on the ops plane's /metrics.</summary>
internal sealed class AuthMetrics : IDisposable
{
    public const string MeterName = "Contacto.Auth";

    readonly Meter meter = new(MeterName);
    readonly Counter<long> failures;
    readonly Counter<long> throttled;

    public AuthMetrics()
    {
        failures = meter.CreateCounter<long>("contacto.auth.failures", "{failure}", "API authentication failures by reason");
        throttled = meter.CreateCounter<long>("contacto.auth.throttled", "{request}", "API requests refused by the brute-force throttle");
    }

    public void Failure(string reason) => failures.Add(1, new KeyValuePair<string, object?>("reason", reason));

    public void Throttled() => throttled.Add(1);

    public void Dispose() => meter.Dispose();
}
