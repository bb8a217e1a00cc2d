using System.Net;
using Contacto.Audit;
using Contacto.Storage;
using Contacto.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Contacto.Tests.Auth;

/// <summary>
/// Failed authentications never append to the named account's audit chain on the request path (so
/// an attacker cannot contend its chain lock): a background writer records them as one tally per
/// chain, source and minute, without credentials. Successes are still recorded at once.
/// </summary>
public sealed class FailedAuthenticationRecordTests
{
    [Theory]
    [MemberData(nameof(TestStorage.Providers), MemberType = typeof(TestStorage))]
    public async Task Failures_are_tallied_per_source_and_minute_off_the_victims_chain_and_written_by_the_background_writer(StorageProvider provider)
    {
        using var storage = await TestStorage.CreateAsync(provider);
        var now = DateTimeOffset.UtcNow;
        var time = new ObservedTimeProvider(now - TimeSpan.FromTicks(now.Ticks % TimeSpan.TicksPerMinute) + TimeSpan.FromSeconds(5));
        await using var server = await RunningServer.StartAsync(storage,
            ["--Auth:Throttle:SlowAfter", "5", "--Auth:Throttle:RefuseAfter", "10", "--Auth:Throttle:BaseDelay", "00:00:00", "--Auth:Throttle:MaxDelay", "00:00:00", .. RunningServer.OnAFakeClock],
            configure: b => b.Services.Replace(ServiceDescriptor.Singleton<TimeProvider>(time)));
        var (victim, token) = await server.CreateAccountAsync("Victim");
        var path = $"/v1/Account/{victim.AuthId}/";

        using (var first = server.ApiClient(victim.AuthId, new string('x', 40), IPAddress.Parse("127.0.0.2")))
            for (var i = 0; i < 9; i++)
                Assert.Equal(HttpStatusCode.Unauthorized, (await first.GetJsonAsync(path)).Status);
        using (var second = server.ApiClient(victim.AuthId, new string('y', 40), IPAddress.Parse("127.0.0.3")))
        {
            for (var i = 0; i < 10; i++)
                Assert.Equal(HttpStatusCode.Unauthorized, (await second.GetJsonAsync(path)).Status);
            for (var i = 0; i < 3; i++)
                Assert.Equal(HttpStatusCode.TooManyRequests, (await second.GetJsonAsync(path)).Status);
        }
        const string typedTokenAsId = "Zx9kQ2mW8rT5vB1nL7pY";
        using (var stranger = server.ApiClient(typedTokenAsId, token, IPAddress.Parse("127.0.0.4")))
            Assert.Equal(HttpStatusCode.Unauthorized, (await stranger.GetJsonAsync($"/v1/Account/{typedTokenAsId}/")).Status);

        // Not one append to the victim's chain for twenty-two failures and refusals. (Records of the
        // account's creation and first key may still be committing beside them, so count only these.)
        Assert.DoesNotContain(await ChainAsync(server, victim.Id), r => r.Action is AuditActions.AuthFailed or AuditActions.AuthThrottled);

        // A success is recorded at once, as before.
        using (var owner = server.ApiClient(victim.AuthId, token))
            Assert.Equal(HttpStatusCode.OK, (await owner.GetJsonAsync(path)).Status);
        Assert.Contains(await ChainAsync(server, victim.Id), r => r.Action == AuditActions.AuthSucceeded);

        // Once the minute has ended the writer records one tally per source.
        await time.WaitForTimerAsync((_, period) => period == FailedAuthenticationWriter.Interval);
        time.Advance(TimeSpan.FromMinutes(1));
        var failed = await EventuallyAsync(server, victim.Id, records => records.Count(r => r.Action == AuditActions.AuthFailed) == 2);
        var tallies = failed.Where(r => r.Action == AuditActions.AuthFailed).OrderBy(r => r.SourceAddress).ToList();
        Assert.Equal(new[] { "127.0.0.2", "127.0.0.3" }, tallies.Select(r => r.SourceAddress));
        Assert.StartsWith("9 in the minute from ", tallies[0].Reason);
        Assert.EndsWith("UTC: wrong token (9)", tallies[0].Reason);
        Assert.StartsWith("10 in the minute from ", tallies[1].Reason);
        Assert.All(tallies, r => Assert.Equal(victim.AuthId, r.ActorAuthId));
        Assert.All(tallies, r => Assert.Equal(AuditOutcome.Denied, r.Outcome));

        // Refusals and failures that name no account go to the platform's chain, without what was presented.
        var platform = await EventuallyAsync(server, Guid.Empty, records => records.Any(r => r.Action == AuditActions.AuthThrottled)
                                                                             && records.Any(r => r.Action == AuditActions.AuthFailed && r.SourceAddress == "127.0.0.4"));
        var throttled = Assert.Single(platform, r => r.Action == AuditActions.AuthThrottled);
        Assert.StartsWith("3 in the minute from ", throttled.Reason);
        Assert.Equal("127.0.0.3", throttled.SourceAddress);
        var unknown = Assert.Single(platform, r => r.Action == AuditActions.AuthFailed && r.SourceAddress == "127.0.0.4");
        Assert.EndsWith("unknown Auth ID (1)", unknown.Reason);
        Assert.All(platform.Concat(failed), r => Assert.DoesNotContain(typedTokenAsId, $"{r.ActorAuthId} {r.ResourceId} {r.Reason}"));
        Assert.All(platform.Concat(failed), r => Assert.DoesNotContain(token, $"{r.ActorAuthId} {r.ResourceId} {r.Reason}"));
    }

    static async Task<List<AuditRecord>> ChainAsync(RunningServer server, Guid accountId)
    {
        await using var db = server.Services.GetRequiredService<ContactoDbContextFactory>().CreateForAccount(accountId);
        return await db.Set<AuditRecord>().AsNoTracking().OrderBy(r => r.Sequence).ToListAsync();
    }

    static async Task<List<AuditRecord>> EventuallyAsync(RunningServer server, Guid accountId, Func<List<AuditRecord>, bool> condition)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        while (true)
        {
            var records = await ChainAsync(server, accountId);
            if (condition(records))
                return records;
            await Task.Delay(50, timeout.Token);
        }
    }
}
