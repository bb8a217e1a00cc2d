using System.Net;
using Contacto.Audit;
using Contacto.Cli;
using Contacto.Storage;
using Contacto.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Contacto.Tests.Audit;

/// <summary>The audit trail as a customer and an operator meet it, on both providers.</summary>
public sealed class AuditTrailTests
{
    [Theory]
    [MemberData(nameof(TestStorage.Providers), MemberType = typeof(TestStorage))]
    public async Task Changes_reads_and_sign_ins_are_recorded_and_the_customer_can_filter_them(StorageProvider provider)
    {
        using var storage = await TestStorage.CreateAsync(provider);
        await using var server = await RunningServer.StartAsync(storage);
        var (account, token) = await server.CreateAccountAsync("Audited");
        using var client = server.ApiClient(account.AuthId, token);
        client.DefaultRequestHeaders.UserAgent.ParseAdd("audit-test/1.0");
        var root = $"/v1/Account/{account.AuthId}/";

        var (_, created) = await client.PostJsonAsync($"{root}Subaccount/", new { name = "Sub" });
        await client.PostJsonAsync(root, new { city = "Faro" });
        var (_, read) = await client.GetJsonAsync(root);
        using (var wrong = server.ApiClient(account.AuthId, new string('x', 40)))
            await wrong.GetJsonAsync(root);
        await server.Services.GetRequiredService<FailedAuthentications>().WriteAsync(all: true); // the background writer's work, now

        var (status, log) = await client.GetJsonAsync($"{root}AuditLog/?limit=20");
        Assert.Equal(HttpStatusCode.OK, status);
        var records = log.GetProperty("objects").EnumerateArray().ToList();
        var actions = records.Select(r => r.Str("action")).ToList();
        Assert.Contains(AuditActions.AccountCreated, actions);
        Assert.Contains(AuditActions.SubaccountCreated, actions);
        Assert.Contains(AuditActions.AccountUpdated, actions);
        Assert.Contains(AuditActions.AccountRead, actions);
        Assert.Contains(AuditActions.AuthSucceeded, actions);
        Assert.Contains(AuditActions.AuthFailed, actions);
        // Newest first, with sequence numbers that run without gaps.
        var sequences = records.Select(r => r.GetProperty("sequence").GetInt64()).ToList();
        Assert.Equal(sequences.OrderDescending(), sequences);

        var readRecord = records.First(r => r.Str("action") == AuditActions.AccountRead);
        Assert.Equal(read.Str("api_id"), readRecord.Str("request_id"));
        var actor = readRecord.GetProperty("actor");
        Assert.Equal("api_credential", actor.Str("kind"));
        Assert.Equal(account.AuthId, actor.Str("auth_id"));
        Assert.Equal("127.0.0.1", actor.Str("source_address"));
        Assert.Equal("audit-test/1.0", actor.Str("user_agent"));
        var subCreated = records.First(r => r.Str("action") == AuditActions.SubaccountCreated);
        Assert.Equal(created.Str("auth_id"), subCreated.Str("resource_id"));
        Assert.DoesNotContain(token, log.GetRawText());
        Assert.DoesNotContain(created.Str("auth_token"), log.GetRawText());

        var (_, filtered) = await client.GetJsonAsync($"{root}AuditLog/?action=account.updated");
        Assert.Equal("account.updated", Assert.Single(filtered.GetProperty("objects").EnumerateArray()).Str("action"));
        var (_, operatorOnly) = await client.GetJsonAsync($"{root}AuditLog/?actor_kind=operator");
        Assert.Equal(AuditActions.AccountCreated, Assert.Single(operatorOnly.GetProperty("objects").EnumerateArray()).Str("action"));
        var (_, future) = await client.GetJsonAsync($"{root}AuditLog/?time__gt=2999-01-01%2000:00");
        Assert.Equal(0, future.GetProperty("meta").GetProperty("total_count").GetInt32());
        var (badStatus, bad) = await client.GetJsonAsync($"{root}AuditLog/?actor_kind=robot");
        Assert.Equal(HttpStatusCode.BadRequest, badStatus);
        Assert.Contains("actor_kind", bad.ErrorMessage());
        (badStatus, bad) = await client.GetJsonAsync($"{root}AuditLog/?time__gt=yesterday");
        Assert.Equal(HttpStatusCode.BadRequest, badStatus);
    }

    [Theory]
    [MemberData(nameof(TestStorage.Providers), MemberType = typeof(TestStorage))]
    public async Task The_API_log_has_one_record_per_request_matching_its_api_id(StorageProvider provider)
    {
        using var storage = await TestStorage.CreateAsync(provider);
        await using var server = await RunningServer.StartAsync(storage);
        var (account, token) = await server.CreateAccountAsync();
        var (other, otherToken) = await server.CreateAccountAsync();
        using var client = server.ApiClient(account.AuthId, token);
        var root = $"/v1/Account/{account.AuthId}/";

        var (_, first) = await client.GetJsonAsync(root);
        var (_, missing) = await client.GetJsonAsync($"{root}Subaccount/SA{new string('0', 18)}/");
        using (var otherClient = server.ApiClient(other.AuthId, otherToken))
            await otherClient.GetJsonAsync($"/v1/Account/{other.AuthId}/");

        var log = await WaitForApiLogAsync(client, root, atLeast: 2);
        var entries = log.GetProperty("objects").EnumerateArray().ToList();
        var ok = entries.Single(e => e.Str("api_id") == first.Str("api_id"));
        Assert.Equal("GET", ok.Str("method"));
        Assert.Equal(root, ok.Str("path"));
        Assert.Equal(200, ok.GetProperty("status").GetInt32());
        Assert.Equal(account.AuthId, ok.Str("auth_id"));
        Assert.True(ok.GetProperty("latency_ms").GetDouble() > 0);
        Assert.Equal(404, entries.Single(e => e.Str("api_id") == missing.Str("api_id")).GetProperty("status").GetInt32());
        Assert.DoesNotContain(other.AuthId, log.GetRawText());

        var (_, only404) = await client.GetJsonAsync($"{root}ApiLog/?status=404");
        Assert.All(only404.GetProperty("objects").EnumerateArray(), e => Assert.Equal(404, e.GetProperty("status").GetInt32()));
    }

    [Fact]
    public async Task Old_API_log_records_are_pruned_after_the_retention()
    {
        using var storage = await TestStorage.CreateAsync(StorageProvider.Sqlite);
        var time = new Microsoft.Extensions.Time.Testing.FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var server = await RunningServer.StartAsync(storage, ["--Audit:ApiLogRetention", "2.00:00:00", .. RunningServer.OnAFakeClock],
            configure: b => b.Services.Replace(ServiceDescriptor.Singleton<TimeProvider>(time)));
        var (account, token) = await server.CreateAccountAsync();
        using var client = server.ApiClient(account.AuthId, token);
        var (_, old) = await client.GetJsonAsync($"/v1/Account/{account.AuthId}/");
        await WaitForApiLogAsync(client, $"/v1/Account/{account.AuthId}/", atLeast: 1);
        var retention = server.Services.GetRequiredService<ApiLogRetentionService>();
        var contexts = server.Services.GetRequiredService<IDbContextFactory<ContactoDbContext>>();
        async Task<bool> Kept()
        {
            await using var db = contexts.CreateDbContext();
            return await db.Set<ApiLogRecord>().AnyAsync(r => r.ApiId == old.Str("api_id"));
        }

        await retention.PruneAsync(CancellationToken.None);
        Assert.True(await Kept());
        time.AdjustTime(time.GetUtcNow().AddDays(3)); // the wall clock only: the server's timers stay where they were
        await retention.PruneAsync(CancellationToken.None);
        Assert.False(await Kept());
    }

    [Theory]
    [MemberData(nameof(TestStorage.Providers), MemberType = typeof(TestStorage))]
    public async Task Concurrent_writers_on_two_nodes_keep_every_chain_intact(StorageProvider provider)
    {
        using var storage = await TestStorage.CreateAsync(provider);
        await using var first = await RunningServer.StartAsync(storage);
        // A second node on the same database (SQLite: the same file; PostgreSQL: the same server).
        await using var second = await RunningServer.StartAsync(storage);
        var (account, token) = await first.CreateAccountAsync();
        using var a = first.ApiClient(account.AuthId, token);
        using var b = second.ApiClient(account.AuthId, token);
        var root = $"/v1/Account/{account.AuthId}/";

        // Four waves of ten concurrent requests, spread over both nodes.
        for (var wave = 0; wave < 4; wave++)
        {
            var requests = Enumerable.Range(wave * 10, 10).Select(i => i % 2 == 0
                ? (i % 4 == 0 ? a : b).PostJsonAsync(root, new { city = $"City {i}" })
                : (i % 3 == 0 ? a : b).GetJsonAsync(root));
            var answers = await Task.WhenAll(requests);
            Assert.All(answers, r => Assert.True(r.Status is HttpStatusCode.OK or HttpStatusCode.Accepted, $"answered {r.Status}"));
        }

        var result = await first.Services.GetRequiredService<AuditVerifier>().VerifyAsync(null, CancellationToken.None);
        Assert.Null(result.FirstProblem);
        // One record per request, the account's creation, and one sign-in per node (same client on each).
        Assert.True(result.Records >= 43, $"only {result.Records} records");
    }

    [Theory]
    [MemberData(nameof(TestStorage.Providers), MemberType = typeof(TestStorage))]
    public async Task Export_writes_json_lines_without_secrets(StorageProvider provider)
    {
        using var storage = await TestStorage.CreateAsync(provider);
        string authId, token;
        await using (var server = await RunningServer.StartAsync(storage))
        {
            var created = await server.CreateAccountAsync();
            authId = created.Account.AuthId;
            token = created.AuthToken;
            using var client = server.ApiClient(authId, token);
            await client.GetJsonAsync($"/v1/Account/{authId}/");
        }
        var output = new StringWriter();

        Assert.Equal(0, await ContactoCli.InvokeAsync([.. storage.Arguments, "audit", "export", "--since", "2000-01-01", "--account", authId], output, TextWriter.Null));

        var lines = output.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Contains(lines, l => l.Contains("\"action\":\"account.read\""));
        Assert.All(lines, l => Assert.StartsWith("{", l));
        Assert.DoesNotContain(token, output.ToString());
    }

    static async Task<System.Text.Json.JsonElement> WaitForApiLogAsync(HttpClient client, string root, int atLeast)
    {
        // The API log is written off the request path; wait for it, within bounds.
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        while (true)
        {
            var (_, log) = await client.GetJsonAsync($"{root}ApiLog/?limit=20");
            if (log.GetProperty("meta").GetProperty("total_count").GetInt32() >= atLeast)
                return log;
            await Task.Yield();
            timeout.Token.ThrowIfCancellationRequested();
        }
    }
}
