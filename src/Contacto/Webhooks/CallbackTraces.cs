using System.Diagnostics;
using Contacto.Observability;

namespace Contacto.Webhooks;

/// <summary>
/// A span per callback attempt. Callbacks about one object share an ordering key, which for a
/// message is its UUID: the attempt joins the trace named after it (<see cref="TracingSetup.TraceOf"/>),
/// beside the message's accept, submit and settle spans. The span carries ids, the outcome and the
/// HTTP status, never the URL or the fields.
/// </summary>
static class CallbackTraces
{
    public static readonly ActivitySource Source = new(TracingSetup.SourcePrefix + "Webhooks");

    /// <summary>
    /// Records an attempt that has ended. The span is made afterwards, so that none is current while
    /// the request goes out (HttpClient would send it in a traceparent header); it starts on the
    /// activities' own clock, which also ends it, not on the platform's TimeProvider.
    /// </summary>
    public static void Attempted(WebhookDelivery delivery, AttemptResult result)
    {
        if (!Source.HasListeners())
            return;
        var parent = Guid.TryParse(delivery.OrderingKey, out var subject) ? TracingSetup.TraceOf(subject) : default;
        using var span = Source.StartActivity("callback.attempt", ActivityKind.Client, parent, startTime: DateTimeOffset.UtcNow - result.Latency);
        span?.SetTag("contacto.account.id", delivery.AccountId.ToString())
            .SetTag("contacto.callback.id", delivery.Id.ToString())
            .SetTag("contacto.callback.attempt", delivery.Attempts + 1)
            .SetTag("contacto.callback.outcome", result.Outcome.ToString().ToLowerInvariant())
            .SetTag("http.request.method", delivery.Method)
            .SetTag("http.response.status_code", result.Status);
    }
}
