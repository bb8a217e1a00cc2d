using Microsoft.Extensions.DependencyInjection;
using OpenTelemetry.Metrics;

namespace Contacto.Observability;

/// <summary>
/// Every figure the platform measures is a System.Diagnostics.Metrics instrument; this exports the
/// platform's meters (<c>Contacto.*</c>) and ASP.NET Core's, Kestrel's and the runtime's in
/// Prometheus text format, served on the ops plane.
/// </summary>
public static class MetricsSetup
{
    public const string MeterPrefix = "Contacto.";

    public static IServiceCollection AddContactoMetrics(this IServiceCollection services)
    {
        services.AddOpenTelemetry().WithMetrics(metrics => metrics
            .AddMeter(MeterPrefix + "*")
            .AddMeter("Microsoft.AspNetCore.Hosting", "Microsoft.AspNetCore.Server.Kestrel", "Microsoft.AspNetCore.Routing", "System.Runtime")
            .AddPrometheusExporter());
        return services;
    }
}
