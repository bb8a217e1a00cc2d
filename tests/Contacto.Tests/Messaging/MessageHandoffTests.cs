using Contacto.Carriers;
using Contacto.Messaging;
using Contacto.Storage;
using Contacto.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Contacto.Tests.Messaging;

/// <summary>
/// Messages a node accepts go straight to its own dispatcher, stored claimed by that node; the
/// hand-off is bounded, never passes on a message whose lease could lapse mid-submit, and gives
/// back what it still holds when the node stops.
/// </summary>
public sealed class MessageHandoffTests
{
    static readonly DateTimeOffset Now = new(2026, 12, 2, 12, 0, 0, TimeSpan.Zero);
    static readonly TimeSpan Lease = TimeSpan.FromSeconds(10);
    static readonly TimeSpan Within = TimeSpan.FromSeconds(60);

    [Fact]
    public void It_takes_nothing_until_a_dispatcher_opens_it_and_holds_at_most_four_batches()
    {
        var handoff = new MessageHandoff(Options.Create(new MessagingOptions { BatchSize = 2 }));
        Assert.False(handoff.TryReserve());

        handoff.Open();
        Assert.All(Enumerable.Range(0, 8), _ => Assert.True(handoff.TryReserve()));
        Assert.False(handoff.TryReserve());
        handoff.Release(1); // a commit failed
        Assert.True(handoff.TryReserve());
        Assert.False(handoff.TryReserve());

        // Room comes back as the dispatcher takes messages.
        handoff.Add([.. Enumerable.Range(0, 8).Select(_ => Handed(Now + Lease))]);
        Assert.Equal(3, handoff.Take(3, Now, Lease).Taken.Count);
        Assert.All(Enumerable.Range(0, 3), _ => Assert.True(handoff.TryReserve()));
        Assert.False(handoff.TryReserve());
    }

    [Fact]
    public void A_message_that_waited_past_half_its_lease_is_set_aside_to_be_given_back_and_the_rest_keep_their_order()
    {
        var handoff = new MessageHandoff(Options.Create(new MessagingOptions { BatchSize = 10 }));
        handoff.Open();
        MessageHandoff.Handed[] handed = [Handed(Now + Lease / 2 - TimeSpan.FromMilliseconds(1)), Handed(Now + Lease / 2), Handed(Now + Lease), Handed(Now + Lease)];
        handoff.Add(handed);

        var (taken, stale) = handoff.Take(2, Now, Lease);

        Assert.Equal([handed[1], handed[2]], taken);
        Assert.Equal([handed[0]], stale);
        var (rest, noneStale) = handoff.Take(10, Now, Lease);
        Assert.Equal([handed[3]], rest);
        Assert.Empty(noneStale);
        var (none, _) = handoff.Take(10, Now, Lease);
        Assert.Empty(none);
    }

    [Fact]
    public void Closing_stops_hand_offs_and_returns_what_was_never_taken()
    {
        var handoff = new MessageHandoff(Options.Create(new MessagingOptions { BatchSize = 10 }));
        handoff.Open();
        MessageHandoff.Handed[] handed = [Handed(Now + Lease), Handed(Now + Lease), Handed(Now + Lease)];
        handoff.Add(handed);
        handoff.Take(1, Now, Lease);

        Assert.Equal([handed[1], handed[2]], handoff.Close());
        Assert.False(handoff.TryReserve());
        Assert.Empty(handoff.Take(10, Now, Lease).Taken);
    }

    [Theory]
    [MemberData(nameof(TestStorage.Providers), MemberType = typeof(TestStorage))]
    public async Task A_node_stores_what_it_accepts_claimed_by_itself_and_gives_back_what_it_never_took_when_it_stops(StorageProvider provider)
    {
        using var storage = await TestStorage.CreateAsync(provider);
        // Carriers at one submit a second and a lease of ten minutes: a pass takes three messages
        // (three quarters of a batch of four) and is still submitting when the node stops.
        await using var carriers = new CountingCarriers(transactionsPerSecond: 1);
        string[] arguments = ["--Messaging:BatchSize", "4", "--Messaging:ClaimLeaseSeconds", "600", .. carriers.Arguments];
        var server = await RunningServer.StartAsync(storage, arguments);
        List<string> ids;
        var lastId = Guid.Empty;
        var otherNodesLease = DateTimeOffset.UtcNow.AddHours(1);
        DateTimeOffset acceptedBy, stoppedBy;
        await using (server)
        {
            var sender = await MessagingHarness.CreateAsync(server);
            ids = await sender.SendAsync([.. Enumerable.Range(1, 12).Select(MessagingHarness.Destination)]);
            lastId = Guid.Parse(ids[^1]);
            acceptedBy = DateTimeOffset.UtcNow;
            await carriers.SubmittedAsync(1).WaitAsync(Within);

            // Nothing is due for a claim: the node holds every message it accepted, as a claim would.
            await using (var db = storage.Contexts().CreateDbContext())
            {
                Assert.Equal(0, await db.Set<Message>().CountAsync(m => m.NextAttemptAt <= acceptedBy && (m.ClaimedUntil == null || m.ClaimedUntil <= acceptedBy)));
                // The last message, still waiting in the hand-off, as if its lease had lapsed and another node had claimed it.
                await db.Set<Message>().Where(m => m.Id == lastId).ExecuteUpdateAsync(set => set.SetProperty(m => m.ClaimedUntil, otherNodesLease));
            }
            await server.App.StopAsync();
            stoppedBy = DateTimeOffset.UtcNow;
        }

        await using var check = storage.Contexts().CreateDbContext();
        var messages = await check.Set<Message>().AsNoTracking().ToListAsync();
        Assert.Equal(12, messages.Count);
        var givenBack = messages.Where(m => m.NextAttemptAt <= stoppedBy && m.ClaimedUntil is null).ToList();
        var leased = messages.Where(m => m.ClaimedUntil > stoppedBy).ToList();
        // Given back: due at once for any node. Still leased: the pass in flight at the stop,
        // whose submits may have reached a carrier, so they wait for their lease as a claim would.
        Assert.InRange(givenBack.Count, 12 - 2 * 3 - 1, 12 - carriers.Destinations - 1);
        Assert.InRange(leased.Count, 1, 2 * 3 + 1);
        // A lease that is no longer this node's is not given back.
        Assert.Equal(otherNodesLease.ToUnixTimeMilliseconds(), messages.Single(m => m.Id == lastId).ClaimedUntil?.ToUnixTimeMilliseconds());
        Assert.All(givenBack, m => Assert.Equal(MessageStates.Queued, m.State));
        Assert.Equal(12, givenBack.Count + leased.Count + messages.Count(m => m.NextAttemptAt is null));
    }

    static MessageHandoff.Handed Handed(DateTimeOffset leaseEnds) =>
        new(new Message { Id = Guid.CreateVersion7(), ClaimedUntil = leaseEnds },
            new SmsRequest("Contacto", AlphanumericSender: true, "+447700900001", "hello"));
}
