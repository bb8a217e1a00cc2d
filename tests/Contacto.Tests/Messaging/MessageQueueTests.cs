using Contacto.Messaging;
using Contacto.Storage;
using Contacto.Testing;
using Microsoft.EntityFrameworkCore;

namespace Contacto.Tests.Messaging;

/// <summary>The dispatch queue is the messages' own rows: claims are leases, on both providers.</summary>
public sealed class MessageQueueTests
{
    static readonly DateTimeOffset Now = new(2026, 12, 2, 12, 0, 0, TimeSpan.Zero);
    static readonly TimeSpan Lease = TimeSpan.FromSeconds(10);

    [Theory]
    [MemberData(nameof(TestStorage.Providers), MemberType = typeof(TestStorage))]
    public async Task A_claim_takes_due_messages_oldest_first_and_hides_them_until_its_lease_lapses(StorageProvider provider)
    {
        using var storage = await TestStorage.CreateAsync(provider);
        var contexts = await MigratedAsync(storage);
        var accountId = Guid.NewGuid();
        Message[] due = [.. Enumerable.Range(1, 3).Select(i => Queued(accountId, Now.AddSeconds(-10 + i)))];
        var later = Queued(accountId, Now.AddSeconds(5));
        var sent = Queued(accountId, null);
        await using (var db = contexts.CreateDbContext())
        {
            db.AddRange([later, sent, .. due.Reverse()]);
            await db.SaveChangesAsync();
        }

        await using var claimer = contexts.CreateDbContext();
        var first = await MessageQueue.ClaimAsync(claimer, 2, Now, Lease, CancellationToken.None);
        var second = await MessageQueue.ClaimAsync(claimer, 2, Now, Lease, CancellationToken.None);
        var none = await MessageQueue.ClaimAsync(claimer, 2, Now.AddSeconds(1), Lease, CancellationToken.None);

        Assert.Equal(new HashSet<Guid> { due[0].Id, due[1].Id }, first.Select(m => m.Id).ToHashSet());
        Assert.All(first, m => Assert.Equal(Now + Lease, m.ClaimedUntil));
        Assert.All(first, m => Assert.True(m.NextAttemptAt <= Now)); // the lease is all a claim writes
        Assert.Equal([due[2].Id], second.Select(m => m.Id));
        Assert.Empty(none);
        // The claimed rows come back whole, as the dispatcher needs them.
        Assert.All(first, m => Assert.Equal("GB", m.DestinationCountry));
        Assert.All(first, m => Assert.Equal(accountId, m.AccountId));

        // A node that died mid-submit: once the lease is over, its messages (and the one due by then) are claimable again.
        var lapsed = await MessageQueue.ClaimAsync(claimer, 10, Now + Lease, Lease, CancellationToken.None);
        Assert.Equal([later.Id, .. due.Select(m => m.Id)], lapsed.Select(m => m.Id).ToHashSet());
        await using var check = contexts.CreateDbContext();
        Assert.Null((await check.Set<Message>().SingleAsync(m => m.Id == sent.Id)).NextAttemptAt);
    }

    [Fact]
    public async Task Concurrent_claims_on_PostgreSQL_share_the_queue_without_taking_a_message_twice()
    {
        using var storage = await TestStorage.CreateAsync(StorageProvider.PostgreSql);
        var contexts = await MigratedAsync(storage);
        var accountId = Guid.NewGuid();
        await using (var db = contexts.CreateDbContext())
        {
            db.AddRange(Enumerable.Range(0, 400).Select(i => Queued(accountId, Now.AddMilliseconds(-i))));
            await db.SaveChangesAsync();
        }

        var claims = await Task.WhenAll(Enumerable.Range(0, 6).Select(async _ =>
        {
            await using var db = contexts.CreateDbContext();
            return await MessageQueue.ClaimAsync(db, 50, Now, Lease, CancellationToken.None);
        }));

        var ids = claims.SelectMany(c => c).Select(m => m.Id).ToList();
        Assert.Equal(300, ids.Count);
        Assert.Equal(ids.Count, ids.Distinct().Count());
    }

    static async Task<ContactoDbContextFactory> MigratedAsync(TestStorage storage)
    {
        var contexts = storage.Contexts();
        await using var db = contexts.CreateDbContext();
        await db.Database.MigrateAsync();
        return contexts;
    }

    static Message Queued(Guid accountId, DateTimeOffset? next) => new()
    {
        Id = Guid.CreateVersion7(),
        AccountId = accountId,
        DestinationCountry = "GB",
        State = next is null ? MessageStates.Sent : MessageStates.Queued,
        CreatedAt = Now,
        UpdatedAt = Now,
        NextAttemptAt = next,
    };
}
