using System.Diagnostics.Metrics;

namespace Contacto.Status.Incidents.Paging;

/// <summary>Outbox sends by outcome, exported on the ops plane's /metrics: a failing pager must be visible.</summary>
internal sealed class PagingMetrics
{
    public const string MeterName = "Contacto.Paging";
    public const string OutcomesName = "contacto.paging.sends";

    readonly Counter<long> outcomes;

    public PagingMetrics(IMeterFactory meters)
    {
        outcomes = meters.Create(MeterName).CreateCounter<long>(OutcomesName, "{message}", "Paging outbox sends by outcome (sent, retry, failed) and target kind");
    }

    public void Record(string outcome, string kind) =>
        outcomes.Add(1, new KeyValuePair<string, object?>("outcome", outcome), new KeyValuePair<string, object?>("kind", kind));
}
