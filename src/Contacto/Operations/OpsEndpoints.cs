using Contacto.Storage;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using OpenTelemetry.Exporter;

namespace Contacto.Operations;

/// <summary>Health and metrics, on the ops plane only.</summary>
internal static class OpsEndpoints
{
    public static IEndpointRouteBuilder MapContactoOps(this IEndpointRouteBuilder endpoints)
    {
        var ops = endpoints.MapGroup("").OnOpsPlane();
        // Live: the process answers. Ready: it can do work (storage reachable, schema current).
        ops.MapHealthChecks("/health/live", new HealthCheckOptions { Predicate = _ => false, ResponseWriter = WriteHealth });
        ops.MapHealthChecks("/health/ready", new HealthCheckOptions
        {
            Predicate = check => check.Tags.Contains(StorageServiceCollectionExtensions.ReadyTag),
            ResponseWriter = WriteHealth,
        });
        ops.MapPrometheusScrapingEndpoint("/metrics");
        return endpoints;
    }

    static Task WriteHealth(HttpContext context, HealthReport report)
    {
        context.Response.ContentType = "application/json";
        return context.Response.WriteAsJsonAsync(new
        {
            status = report.Status.ToString(),
            checks = report.Entries.ToDictionary(e => e.Key, e => new { status = e.Value.Status.ToString(), description = e.Value.Description }),
        });
    }
}
