using Contacto.Server;
using System.Diagnostics;
using Contacto.Carriers;
using Contacto.Status;
using Contacto.Storage;
using Contacto.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace Contacto.Tests.Carriers;

/// <summary>Carrier health as the status page sees it, per country, as simulated carriers fall silent.</summary>
public sealed class CarrierHealthTests
{
    static readonly string[] FollowPortugal =
    [
        "--Status:Groups:0:Id", "messaging", "--Status:Groups:0:Name", "Messaging",
        "--Status:Groups:0:Components:0:Id", "sms-pt", "--Status:Groups:0:Components:0:Name", "SMS Portugal",
        "--Status:Groups:0:Components:0:Monitors:0", "messaging:PT",
    ];

    [Fact]
    public async Task A_silent_carrier_is_detected_within_a_second_and_the_country_degrades_then_goes_down()
    {
        using var storage = await TestStorage.CreateAsync(StorageProvider.Sqlite);
        await using var server = await RunningServer.StartAsync(storage, FollowPortugal);
        var pool = server.Services.GetRequiredService<CarrierPool>();
        var health = server.Services.GetServices<IComponentStatusSource>().OfType<CarrierHealthSource>().Single();
        foreach (var route in pool.Carriers)
            await route.Connection.WaitUntilReadyAsync().WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(ComponentStatus.Operational, await PortugalAsync(health));

        var silenced = Stopwatch.StartNew();
        Silence(server, "sim-a");
        Assert.Equal(ComponentStatus.DegradedPerformance, await WaitForAsync(health, ComponentStatus.DegradedPerformance));
        var detection = silenced.Elapsed;
        Silence(server, "sim-b");
        Assert.Equal(ComponentStatus.MajorOutage, await WaitForAsync(health, ComponentStatus.MajorOutage));

        // Keep-alive every 400 ms, dead after 400 ms more: about 0.9 s; the bound leaves room for a loaded machine.
        Assert.True(detection < TimeSpan.FromSeconds(3), $"detection took {detection.TotalMilliseconds:F0} ms");
    }

    static void Silence(RunningServer server, string name)
    {
        var simulator = server.Services.GetRequiredService<SimulatedCarriers>()[name];
        simulator.Options = simulator.Options with { Silent = true };
    }

    static async Task<ComponentStatus> PortugalAsync(CarrierHealthSource health) =>
        (await health.ObserveAsync(CancellationToken.None)).Single(o => o.Subject == MonitorSubjects.Messaging("PT")).Status;

    static async Task<ComponentStatus> WaitForAsync(CarrierHealthSource health, ComponentStatus wanted)
    {
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        using var tick = new PeriodicTimer(TimeSpan.FromMilliseconds(20));
        var seen = await PortugalAsync(health);
        while (seen != wanted && await tick.WaitForNextTickAsync(deadline.Token).AsTask().ContinueWith(t => t.IsCompletedSuccessfully))
            seen = await PortugalAsync(health);
        return seen;
    }
}
