using Contacto.Server;
using Contacto.Carriers;
using Contacto.CarrierSim;
using Contacto.Smpp.Protocol;
using Contacto.Storage;
using Contacto.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace Contacto.Tests.Carriers;

/// <summary>
/// One of the two simulated carriers fails while messages flow: every message still reaches the
/// handset through the other one, on both providers, and a restart mid-flow loses nothing.
/// </summary>
public sealed class FailoverTests
{
    static readonly TimeSpan Within = TimeSpan.FromSeconds(30);
    static readonly string[] Delivered = ["delivered"];

    static SmscSimulator Simulator(RunningServer server, string name) =>
        server.Services.GetRequiredService<SimulatedCarriers>()[name];

    static string[] Destinations(int count) => [.. Enumerable.Range(1, count).Select(MessagingHarness.Destination)];

    [Theory]
    [MemberData(nameof(TestStorage.Providers), MemberType = typeof(TestStorage))]
    public async Task A_silent_carrier_is_routed_around_and_nothing_is_lost(StorageProvider provider)
    {
        using var storage = await TestStorage.CreateAsync(provider);
        await using var server = await RunningServer.StartAsync(storage);
        var sender = await MessagingHarness.CreateAsync(server);
        var ids = await sender.SendAsync(Destinations(20));
        MessagingHarness.AssertAll(await sender.WaitForStatesAsync(ids, Delivered, Within), 20, Delivered);

        var silent = Simulator(server, "sim-a");
        silent.Options = silent.Options with { Silent = true };
        var other = Simulator(server, "sim-b");
        var acceptedBefore = other.Statistics.SubmitsAccepted;
        var more = await sender.SendAsync(Destinations(100));

        MessagingHarness.AssertAll(await sender.WaitForStatesAsync(more, Delivered, Within), 100, Delivered);
        Assert.True(other.Statistics.SubmitsAccepted - acceptedBefore >= 100, "the other carrier took every message");
    }

    [Theory]
    [MemberData(nameof(TestStorage.Providers), MemberType = typeof(TestStorage))]
    public async Task A_carrier_that_drops_its_connections_loses_no_message(StorageProvider provider)
    {
        using var storage = await TestStorage.CreateAsync(provider);
        await using var server = await RunningServer.StartAsync(storage);
        var sender = await MessagingHarness.CreateAsync(server);
        var dropping = Simulator(server, "sim-b");
        dropping.Options = dropping.Options with { DropAfterRequests = 7 };

        var ids = await sender.SendAsync(Destinations(150));

        MessagingHarness.AssertAll(await sender.WaitForStatesAsync(ids, Delivered, Within), 150, Delivered);
    }

    [Fact]
    public async Task Refusals_by_every_carrier_fail_the_message_with_a_Plivo_error_code()
    {
        using var storage = await TestStorage.CreateAsync(StorageProvider.Sqlite);
        await using var server = await RunningServer.StartAsync(storage);
        var sender = await MessagingHarness.CreateAsync(server);
        foreach (var name in SimulatedCarriers.Names)
        {
            var simulator = Simulator(server, name);
            simulator.Options = simulator.Options with { RejectRate = 1, RejectStatus = CommandStatus.InvalidDestinationAddress };
        }

        var ids = await sender.SendAsync(MessagingHarness.Destination(1));

        MessagingHarness.AssertAll(await sender.WaitForStatesAsync(ids, ["failed"], Within), 1, "failed");
        var mdr = await sender.GetAsync(ids[0]);
        Assert.Equal("50", mdr.GetProperty("error_code").GetString());
        Assert.Equal("Invalid destination number", mdr.GetProperty("error_message").GetString());
    }

    [Theory]
    [MemberData(nameof(TestStorage.Providers), MemberType = typeof(TestStorage))]
    public async Task A_server_stopped_mid_flow_leaves_its_messages_to_the_next_one(StorageProvider provider)
    {
        using var storage = await TestStorage.CreateAsync(provider);
        string[] shortLease = ["--Messaging:ClaimLeaseSeconds", "1"];
        List<string> ids = [];
        MessagingHarness sender;
        await using (var first = await RunningServer.StartAsync(storage, shortLease))
        {
            sender = await MessagingHarness.CreateAsync(first);
            foreach (var name in SimulatedCarriers.Names)
            {
                var simulator = Simulator(first, name);
                simulator.Options = simulator.Options with { Latency = TimeSpan.FromMilliseconds(300) };
            }
            for (var batch = 0; batch < 3; batch++)
                ids.AddRange(await sender.SendAsync(Destinations(100)));
        }

        await using var second = await RunningServer.StartAsync(storage, shortLease);
        var resumed = new MessagingHarness(second, sender.AccountId, sender.AuthId, sender.Token, second.ApiClient(sender.AuthId, sender.Token));
        // Messages the first server had sent keep their state (their receipts went with its carriers); the rest go now.
        MessagingHarness.AssertAll(await resumed.WaitForStatesAsync(ids, ["sent", "delivered"], Within), 300, "sent", "delivered");
        Assert.True(SimulatedCarriers.Names.Sum(n => Simulator(second, n).Statistics.SubmitsAccepted) > 0, "the second server sent what the first left");
    }
}
