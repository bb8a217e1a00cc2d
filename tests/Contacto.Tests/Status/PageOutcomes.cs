using System.Diagnostics.Metrics;
using System.Threading.Channels;
using Contacto.Status.Incidents.Paging;
using Microsoft.Extensions.DependencyInjection;

namespace Contacto.Tests.Status;

/// <summary>
/// Waits for the paging outbox's outcomes (sent, retry, failed) of one server, through its metrics:
/// a signal that the attempt is recorded, rather than a guess at how long that takes.
/// </summary>
public sealed class PageOutcomes : IDisposable
{
    readonly MeterListener listener = new();
    readonly Channel<string> outcomes = Channel.CreateUnbounded<string>();

    public PageOutcomes(IServiceProvider services)
    {
        var meters = services.GetRequiredService<IMeterFactory>();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Scope == meters && instrument.Name == PagingMetrics.OutcomesName)
                l.EnableMeasurementEvents(instrument);
        };
        listener.SetMeasurementEventCallback<long>((_, _, tags, _) =>
        {
            foreach (var tag in tags)
                if (tag.Key == "outcome")
                    outcomes.Writer.TryWrite((string)tag.Value!);
        });
        listener.Start();
    }

    public async Task<string> NextAsync()
    {
        using var cancel = new CancellationTokenSource(TimeSpan.FromSeconds(15));
        return await outcomes.Reader.ReadAsync(cancel.Token);
    }

    public void Dispose() => listener.Dispose();
}
