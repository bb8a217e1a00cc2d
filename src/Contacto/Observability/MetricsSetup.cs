using System.Diagnostics.Metrics;
using Microsoft.Extensions.DependencyInjection;
using OpenTelemetry.Metrics;

namespace Contacto.Observability;

/// <summary>
/// Every figure the platform measures is a System.Diagnostics.Metrics instrument; this exports the
/// platform's meters (<c>Contacto.*</c>) and ASP.NET Core's, Kestrel's and the runtime's in
/// Prometheus text format, served on the ops plane. Names follow docs/architecture.md ("Logs,
/// metrics, traces"): lower-case dotted, unit in the unit argument; the exporter turns dots into
/// underscores and adds the unit and <c>_total</c> suffixes.
/// </summary>
public static class MetricsSetup
{
    public const string MeterPrefix = "Contacto.";

    /// <summary>
    /// Bounds of the platform's duration histograms, in seconds (OpenTelemetry's default bounds
    /// suit milliseconds and would put every duration in the first bucket).
    /// </summary>
    static readonly double[] DurationBounds = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300];

    public static IServiceCollection AddContactoMetrics(this IServiceCollection services)
    {
        services.AddOpenTelemetry().WithMetrics(metrics => metrics
            .AddMeter(MeterPrefix + "*")
            .AddMeter("Microsoft.AspNetCore.Hosting", "Microsoft.AspNetCore.Server.Kestrel", "Microsoft.AspNetCore.Routing", "System.Runtime")
            .AddView(instrument => instrument is Histogram<double> { Unit: "s" } && instrument.Meter.Name.StartsWith(MeterPrefix, StringComparison.Ordinal)
                ? new ExplicitBucketHistogramConfiguration { Boundaries = DurationBounds }
                : null)
            .AddPrometheusExporter());
        return services;
    }
}
