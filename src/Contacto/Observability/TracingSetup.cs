using System.Diagnostics;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using OpenTelemetry.Exporter;
using OpenTelemetry.Trace;

namespace Contacto.Observability;

/// <summary>
/// Traces of the platform's <c>Contacto.*</c> activity sources, exported over OTLP when
/// <c>Tracing:OtlpEndpoint</c> is set (nothing is collected otherwise: without a listener a span
/// costs nothing).
/// </summary>
public static class TracingSetup
{
    public const string SourcePrefix = "Contacto.";

    public static IServiceCollection AddContactoTracing(this IServiceCollection services, IConfiguration configuration)
    {
        // Validated at start like every section; read here too, as it decides what is registered.
        services.AddOptions<TracingOptions>().BindConfiguration(TracingOptions.Section, o => o.ErrorOnUnknownConfiguration = true).ValidateOnStart();
        var options = configuration.GetSection(TracingOptions.Section).Get<TracingOptions>() ?? new();
        if (options.OtlpEndpoint is not { } endpoint)
            return services;
        services.AddOpenTelemetry().WithTracing(tracing => tracing
            .AddSource(SourcePrefix + "*")
            .AddOtlpExporter(otlp =>
            {
                otlp.Endpoint = endpoint;
                otlp.Protocol = options.Protocol;
            }));
        return services;
    }

    /// <summary>
    /// The parent of every span about one object (a message; a call next): a trace whose id is the
    /// object's id, so a tracing backend shows its whole path (accepted, submitted, receipt,
    /// callbacks) as one trace although the steps run at different times and on different nodes,
    /// with nothing stored to join them. Each step is a root span of that trace.
    /// </summary>
    public static ActivityContext TraceOf(Guid id)
    {
        Span<byte> bytes = stackalloc byte[16];
        id.TryWriteBytes(bytes, bigEndian: true, out _);
        return new ActivityContext(ActivityTraceId.CreateFromBytes(bytes), default, ActivityTraceFlags.Recorded);
    }
}

/// <summary>Section <c>Tracing</c>.</summary>
internal sealed class TracingOptions
{
    public const string Section = "Tracing";

    /// <summary>Where spans go over OTLP, for example <c>http://collector:4318/v1/traces</c>; unset: no tracing.</summary>
    public Uri? OtlpEndpoint { get; set; }

    /// <summary><c>HttpProtobuf</c> (the default) or <c>Grpc</c>.</summary>
    public OtlpExportProtocol Protocol { get; set; } = OtlpExportProtocol.HttpProtobuf;
}
