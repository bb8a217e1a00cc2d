using Contacto.Storage;
using Contacto.Testing;
using Contacto.Webhooks;
using Microsoft.AspNetCore.Http;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Time.Testing;

namespace Contacto.Tests.Webhooks;

/// <summary>The durable outbox and its sender, in the real server, on both providers.</summary>
public sealed class WebhookOutboxTests : IAsyncLifetime
{
    CallbackReceiver receiver = null!;

    public async Task InitializeAsync() => receiver = await CallbackReceiver.StartAsync();

    public async Task DisposeAsync() => await receiver.DisposeAsync();

    static readonly string[] AllowLoopback = ["--Webhooks:AllowedNetworks:0", "127.0.0.0/8"];

    [Theory]
    [MemberData(nameof(TestStorage.Providers), MemberType = typeof(TestStorage))]
    public async Task A_callback_that_fails_is_retried_with_backoff_and_survives_a_restart(StorageProvider provider)
    {
        using var storage = await TestStorage.CreateAsync(provider);
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        void UseClock(Microsoft.AspNetCore.Builder.WebApplicationBuilder b) => b.Services.Replace(ServiceDescriptor.Singleton<TimeProvider>(time));
        receiver.Answer = _ => Task.FromResult(Results.StatusCode(503));
        Guid accountId;
        await using (var server = await RunningServer.StartAsync(storage, [.. AllowLoopback, .. RunningServer.OnAFakeClock], UseClock))
        {
            var (account, _) = await server.CreateAccountAsync();
            accountId = account.Id;
            await EnqueueAsync(server, accountId, "msg-1", $"{receiver.BaseUrl}/status", [new("Status", "sent")]);
            Assert.Equal("sent", (await receiver.NextAsync()).Form["Status"]);
            await WaitUntilAsync(async () => (await DeliveryAsync(server, accountId)).Attempts == 1);
            var pending = await DeliveryAsync(server, accountId);
            Assert.Equal(DeliveryState.Pending, pending.State);
            Assert.Equal(1, pending.Attempts);
            Assert.Equal(503, pending.LastStatus);
            Assert.InRange(pending.NextAttemptAt - time.GetUtcNow(), TimeSpan.FromSeconds(4), TimeSpan.FromSeconds(6));
        }

        // A new process on the same storage delivers it once the endpoint recovers.
        receiver.Answer = _ => Task.FromResult(Results.Ok());
        await using (var restarted = await RunningServer.StartAsync(storage, [.. AllowLoopback, .. RunningServer.OnAFakeClock], UseClock))
        {
            time.Advance(TimeSpan.FromSeconds(10));
            Assert.Equal("sent", (await receiver.NextAsync()).Form["Status"]);
            await WaitUntilAsync(async () => (await DeliveryAsync(restarted, accountId)).State == DeliveryState.Delivered);
            var delivered = await DeliveryAsync(restarted, accountId);
            Assert.Equal(2, delivered.Attempts);
            await using var db = restarted.Services.GetRequiredService<IDbContextFactory<ContactoDbContext>>().CreateDbContext();
            Assert.Equal(2, await db.Set<WebhookAttempt>().CountAsync(a => a.DeliveryId == delivered.Id));
        }
    }

    [Fact]
    public async Task Callbacks_of_one_message_arrive_in_order_and_a_permanent_refusal_is_not_retried()
    {
        using var storage = await TestStorage.CreateAsync(StorageProvider.Sqlite);
        await using var server = await RunningServer.StartAsync(storage, AllowLoopback);
        var (account, _) = await server.CreateAccountAsync();
        foreach (var status in new[] { "queued", "sent", "delivered" })
            await EnqueueAsync(server, account.Id, "msg-ordered", $"{receiver.BaseUrl}/status", [new("Status", status)]);

        var order = new List<string>();
        for (var i = 0; i < 3; i++)
            order.Add((await receiver.NextAsync()).Form["Status"]);
        Assert.Equal(["queued", "sent", "delivered"], order);

        receiver.Answer = _ => Task.FromResult(Results.StatusCode(410));
        await EnqueueAsync(server, account.Id, "msg-gone", $"{receiver.BaseUrl}/gone", [new("Status", "sent")]);
        await receiver.NextAsync();
        await WaitUntilAsync(async () => (await DeliveryAsync(server, account.Id, "msg-gone")).State == DeliveryState.Failed);
        Assert.Equal(1, (await DeliveryAsync(server, account.Id, "msg-gone")).Attempts);

        // Per account: attempts by outcome, their latency, and the callbacks given up.
        var id = account.Id.ToString();
        var failures = $@"contacto_webhook_failures_total\{{[^}}]*account=""{id}""[^}}]*\}} 1\b";
        string metrics = "";
        await WaitUntilAsync(async () => System.Text.RegularExpressions.Regex.IsMatch(metrics = await server.Ops.GetStringAsync("/metrics"), failures));
        Assert.Matches($@"contacto_webhook_attempts_total\{{[^}}]*account=""{id}""[^}}]*outcome=""giveup""[^}}]*\}} 1\b", metrics);
        Assert.Matches($@"contacto_webhook_attempts_total\{{[^}}]*account=""{id}""[^}}]*outcome=""delivered""[^}}]*\}} 3\b", metrics);
        Assert.Matches($@"contacto_webhook_attempt_duration_seconds_count\{{[^}}]*account=""{id}""[^}}]*\}} 3\b", metrics);
        // Buckets in seconds, not OpenTelemetry's default bounds, which suit milliseconds.
        Assert.Matches($@"contacto_webhook_attempt_duration_seconds_bucket\{{[^}}]*account=""{id}""[^}}]*le=""0.25""[^}}]*\}} \d", metrics);
    }

    [Theory]
    [MemberData(nameof(TestStorage.Providers), MemberType = typeof(TestStorage))]
    public async Task One_account_with_a_slow_endpoint_does_not_delay_another_accounts_callbacks(StorageProvider provider)
    {
        using var storage = await TestStorage.CreateAsync(provider);
        await using var server = await RunningServer.StartAsync(storage, AllowLoopback);
        var (slow, _) = await server.CreateAccountAsync("Slow");
        var (other, _) = await server.CreateAccountAsync("Other");
        receiver.Answer = async context =>
        {
            if (context.Request.Path == "/slow")
                await Task.Delay(TimeSpan.FromSeconds(14), context.RequestAborted);
            return Results.Ok();
        };

        // More slow callbacks than the host takes at once, each answered after 14 s (under the 15 s deadline).
        for (var i = 0; i < 20; i++)
            await EnqueueAsync(server, slow.Id, $"slow-{i}", $"{receiver.BaseUrl}/slow", [new("Status", "sent")]);
        Assert.Equal("/slow", new Uri((await receiver.NextAsync()).Url).AbsolutePath);

        // The other account's callbacks, to the same host, each arrive within a second of being queued.
        for (var i = 0; i < 5; i++)
        {
            var queued = System.Diagnostics.Stopwatch.StartNew();
            await EnqueueAsync(server, other.Id, $"fast-{i}", $"{receiver.BaseUrl}/fast", [new("Status", "sent")]);
            CallbackReceiver.Received got;
            do
                got = await receiver.NextAsync(TimeSpan.FromSeconds(20));
            while (new Uri(got.Url).AbsolutePath != "/fast");
            Assert.True(queued.Elapsed < TimeSpan.FromSeconds(1), $"callback {i} of the other account took {queued.Elapsed.TotalMilliseconds:F0} ms");
        }
    }

    [Theory]
    [MemberData(nameof(TestStorage.Providers), MemberType = typeof(TestStorage))]
    public async Task An_account_raises_its_own_limit_of_callbacks_in_flight_per_host(StorageProvider provider)
    {
        using var storage = await TestStorage.CreateAsync(provider);
        await using var server = await RunningServer.StartAsync(storage, [.. AllowLoopback, "--Webhooks:MaxConcurrentPerHostLimit", "50"]);
        var (account, token) = await server.CreateAccountAsync();
        var api = server.ApiClient(account.AuthId, token);
        var path = $"/v1/Account/{account.AuthId}/WebhookSettings/";
        Assert.Equal(4, (await api.GetJsonAsync(path)).Body.GetProperty("max_connections_per_host").GetInt32());
        foreach (var bad in new[] { "0", "51", "many" })
        {
            var (status, error) = await api.PostJsonAsync(path, new { max_connections_per_host = bad });
            Assert.Equal(System.Net.HttpStatusCode.BadRequest, status);
            Assert.Contains("max_connections_per_host", error.GetProperty("error").GetString());
        }
        var (saved, body) = await api.PostJsonAsync(path, new { max_connections_per_host = 8 });
        Assert.Equal(System.Net.HttpStatusCode.OK, saved);
        Assert.Equal(8, body.GetProperty("max_connections_per_host").GetInt32());

        // Twelve callbacks to one host held open: eight are in flight at once, never more.
        var release = new TaskCompletionSource<IResult>(TaskCreationOptions.RunContinuationsAsynchronously);
        int inFlight = 0, most = 0;
        receiver.Answer = async _ =>
        {
            var now = Interlocked.Increment(ref inFlight);
            InterlockedMax(ref most, now);
            var answer = await release.Task;
            Interlocked.Decrement(ref inFlight);
            return answer;
        };
        for (var i = 0; i < 12; i++)
            await EnqueueAsync(server, account.Id, $"held-{i}", $"{receiver.BaseUrl}/held", [new("Status", "sent")]);
        for (var i = 0; i < 8; i++)
            await receiver.NextAsync();
        release.SetResult(Results.Ok());
        for (var i = 8; i < 12; i++)
            await receiver.NextAsync();
        Assert.Equal(8, Volatile.Read(ref most));
    }

    static void InterlockedMax(ref int target, int value)
    {
        int seen;
        while ((seen = Volatile.Read(ref target)) < value && Interlocked.CompareExchange(ref target, value, seen) != seen)
        {
        }
    }

    [Fact]
    public async Task Callback_urls_and_fields_are_sealed_at_rest()
    {
        using var storage = await TestStorage.CreateAsync(StorageProvider.Sqlite);
        await using var server = await RunningServer.StartAsync(storage, AllowLoopback);
        var (account, _) = await server.CreateAccountAsync();
        receiver.Answer = _ => Task.FromResult(Results.StatusCode(500));
        await EnqueueAsync(server, account.Id, "msg-secret", $"{receiver.BaseUrl}/hook?key=url-secret-marker", [new("To", "+14155550123")]);
        await receiver.NextAsync();

        var raw = await File.ReadAllBytesAsync(Path.Combine(storage.DataDir, "contacto.db"));
        var wal = Path.Combine(storage.DataDir, "contacto.db-wal");
        var text = System.Text.Encoding.Latin1.GetString(raw) + (File.Exists(wal) ? System.Text.Encoding.Latin1.GetString(await File.ReadAllBytesAsync(wal)) : "");
        Assert.DoesNotContain("url-secret-marker", text);
        Assert.DoesNotContain("14155550123", text);
    }

    [Theory]
    [MemberData(nameof(TestStorage.Providers), MemberType = typeof(TestStorage))]
    public async Task Callbacks_of_one_key_ordered_in_the_same_millisecond_go_out_in_the_order_they_were_made(StorageProvider provider)
    {
        using var storage = await TestStorage.CreateAsync(provider);
        await using var server = await RunningServer.StartAsync(storage, AllowLoopback);
        var (account, _) = await server.CreateAccountAsync();
        var outbox = server.Services.GetRequiredService<WebhookOutbox>();
        var at = DateTimeOffset.UtcNow;
        string[] states = ["queued", "sent", "delivered", "read"];
        await using (var db = server.Services.GetRequiredService<ContactoDbContextFactory>().CreateForAccount(account.Id))
        {
            using var keys = await server.Services.GetRequiredService<Contacto.Crypto.ITenantCrypto>().LeaseKeysAsync(account.Id, CancellationToken.None);
            // Stored newest first, all at one instant: only the ids can tell the order.
            db.AddRange(states.Select(state => outbox.Prepare(keys, "msg-tied", $"{receiver.BaseUrl}/status", "POST", [new("Status", state)], at)).Reverse());
            await db.SaveChangesAsync();
        }
        outbox.Notify();

        var order = new List<string>();
        foreach (var _ in states)
            order.Add((await receiver.NextAsync()).Form["Status"]);
        Assert.Equal(states, order);
    }

    [Fact]
    public void Ordered_ids_increase_within_one_millisecond_as_text_and_as_uuids()
    {
        var now = DateTimeOffset.UtcNow;
        var ids = Enumerable.Range(0, 10_000).Select(_ => OrderedIds.Next(now)).ToList();
        Assert.Equal(ids, ids.Order());
        Assert.Equal(ids.Select(i => i.ToString().ToUpperInvariant()), ids.Select(i => i.ToString().ToUpperInvariant()).Order(StringComparer.Ordinal));
        Assert.All(ids, id => Assert.Equal(7, id.Version));
        Assert.Equal(ids.Count, ids.Distinct().Count());
    }

    static async Task EnqueueAsync(RunningServer server, Guid accountId, string key, string url, KeyValuePair<string, string>[] fields)
    {
        var outbox = server.Services.GetRequiredService<WebhookOutbox>();
        var delivery = await outbox.PrepareAsync(accountId, key, url, "POST", fields, CancellationToken.None);
        await using var db = server.Services.GetRequiredService<ContactoDbContextFactory>().CreateForAccount(accountId);
        db.Add(delivery);
        await db.SaveChangesAsync();
        outbox.Notify();
    }

    static async Task<WebhookDelivery> DeliveryAsync(RunningServer server, Guid accountId, string? key = null)
    {
        await using var db = server.Services.GetRequiredService<ContactoDbContextFactory>().CreateForAccount(accountId);
        return await db.Set<WebhookDelivery>().AsNoTracking().Where(d => key == null || d.OrderingKey == key).OrderBy(d => d.CreatedAt).FirstAsync();
    }

    static async Task WaitUntilAsync(Func<Task<bool>> condition)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        while (!await condition())
        {
            timeout.Token.ThrowIfCancellationRequested();
            await Task.Yield();
        }
    }
}
