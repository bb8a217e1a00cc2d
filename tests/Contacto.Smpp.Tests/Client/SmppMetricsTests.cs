using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using Contacto.Smpp.Client;
using Contacto.Smpp.Protocol;
using Contacto.Smpp.Tests.Support;

namespace Contacto.Smpp.Tests.Client;

public sealed class SmppMetricsTests
{
    [Fact]
    public async Task SubmitsAndReceiptsAreCountedByBindWithoutNumbers()
    {
        var measurements = new ConcurrentBag<(string Instrument, string Tags)>();
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Name == SmppMetrics.MeterName)
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<long>((instrument, _, tags, _) => measurements.Add((instrument.Name, Describe(tags))));
        listener.SetMeasurementEventCallback<double>((instrument, _, tags, _) => measurements.Add((instrument.Name, Describe(tags))));
        listener.Start();
        await using var simulator = Sim.Start();
        var inbox = new Sim.Inbox();
        await using var bind = new SmppBind(Sim.BindTo(simulator, "metered"), inbox.Handle);
        bind.Start();
        await bind.WaitUntilBoundAsync().WaitAsync(Loopback.Patience);

        await bind.SubmitAsync(new SubmitSm { Destination = SmeAddress.International("15559990000"), RegisteredDelivery = 1 });
        await inbox.Complete;

        var mine = measurements.Where(m => m.Tags.Contains("bind=metered")).ToList();
        Assert.Contains(mine, m => m.Instrument == "smpp.submits" && m.Tags.Contains("status=Ok"));
        Assert.Contains(mine, m => m.Instrument == "smpp.submit.duration");
        Assert.Contains(mine, m => m.Instrument == "smpp.inbound" && m.Tags.Contains("kind=receipt"));
        Assert.DoesNotContain(mine, m => m.Tags.Contains("1555999"));
    }

    private static string Describe(ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        var parts = new List<string>();
        foreach (var tag in tags)
        {
            parts.Add($"{tag.Key}={tag.Value}");
        }
        return string.Join(",", parts);
    }
}
