using System.Diagnostics.Metrics;
using Microsoft.Extensions.DependencyInjection;

namespace Contacto.Testing;

/// <summary>
/// A server's open connections as Kestrel counts them (its <c>kestrel.active_connections</c>, both
/// planes), from the moment this is made; waits wake on each change, not on a timer.
/// </summary>
public sealed class OpenConnections : IDisposable
{
    readonly MeterListener listener = new();
    readonly SemaphoreSlim changed = new(0);
    long open;

    public OpenConnections(IServiceProvider services)
    {
        var meters = services.GetRequiredService<IMeterFactory>();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Name == "kestrel.active_connections" && ReferenceEquals(instrument.Meter.Scope, meters))
                l.EnableMeasurementEvents(instrument);
        };
        listener.SetMeasurementEventCallback<long>((_, change, _, _) =>
        {
            Interlocked.Add(ref open, change);
            changed.Release();
        });
        listener.Start();
    }

    public long Count => Interlocked.Read(ref open);

    /// <summary>Waits until at most <paramref name="count"/> connections opened since this was made are still open; fails after 30 s.</summary>
    public async Task WaitForAtMostAsync(long count)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        while (Count > count)
        {
            try
            {
                await changed.WaitAsync(timeout.Token);
            }
            catch (OperationCanceledException)
            {
                throw new TimeoutException($"{Count} connections still open, waiting for at most {count}");
            }
        }
    }

    public void Dispose()
    {
        listener.Dispose();
        changed.Dispose();
    }
}
