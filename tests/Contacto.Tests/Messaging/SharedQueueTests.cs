using Contacto.Storage;
using Contacto.Testing;

namespace Contacto.Tests.Messaging;

/// <summary>
/// Several nodes share one queue on PostgreSQL. A claim is a lease, and a carrier slower than the
/// lease (rate-limited here) must not let a second node take and send what the first is still
/// sending: the first stops submitting before its lease ends and leaves the rest to the next claim.
/// </summary>
public sealed class SharedQueueTests
{
    static readonly TimeSpan Within = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task Two_nodes_send_each_message_once_when_a_slow_carrier_outlasts_a_claim()
    {
        using var storage = await TestStorage.CreateAsync(StorageProvider.PostgreSql);
        // Two carriers at 5 submits a second each: 40 messages take 4 s, twice the 2 s lease.
        await using var carriers = new CountingCarriers(transactionsPerSecond: 5);
        string[] arguments = ["--Messaging:ClaimLeaseSeconds", "2", .. carriers.Arguments];
        await using var first = await RunningServer.StartAsync(storage, arguments);
        await using var second = await RunningServer.StartAsync(storage, arguments);
        var sender = await MessagingHarness.CreateAsync(first);

        var ids = await sender.SendAsync([.. Enumerable.Range(1, 40).Select(MessagingHarness.Destination)]);

        MessagingHarness.AssertAll(await sender.WaitForStatesAsync(ids, ["delivered"], Within), 40, "delivered");
        Assert.Equal(40, carriers.Destinations);
        Assert.Equal(0, carriers.Duplicates);
    }
}
