using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Headers;
using Contacto.Api;
using Contacto.Audit;
using Contacto.Auth;
using Contacto.Storage;
using Contacto.Testing;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Authorization.Infrastructure;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Time.Testing;

namespace Contacto.Tests.Auth;

public sealed class AuthenticationTests
{
    sealed class RecordingSink : ISecurityEventSink
    {
        public ConcurrentQueue<SecurityEvent> Events { get; } = new();

        public ValueTask RecordAsync(SecurityEvent securityEvent, CancellationToken cancellationToken)
        {
            Events.Enqueue(securityEvent);
            return ValueTask.CompletedTask;
        }
    }

    [Theory]
    [MemberData(nameof(TestStorage.Providers), MemberType = typeof(TestStorage))]
    public async Task Missing_wrong_or_mismatched_credentials_get_401_with_a_challenge(StorageProvider provider)
    {
        using var storage = await TestStorage.CreateAsync(provider);
        await using var server = await RunningServer.StartAsync(storage);
        var (a, tokenA) = await server.CreateAccountAsync("A");
        var (b, tokenB) = await server.CreateAccountAsync("B");

        var cases = new (string? Header, string Path, string Message)[]
        {
            (null, a.AuthId, "authentication required"),
            (Basic(a.AuthId, tokenB), a.AuthId, "authentication failed"),
            (Basic(a.AuthId, tokenA[..39]), a.AuthId, "authentication failed"),
            (Basic("MA" + new string('Z', 18), tokenA), a.AuthId, "authentication failed"),
            (Basic(b.AuthId, tokenB), a.AuthId, "does not match"),
            ("Basic !!!not-base64!!!", a.AuthId, "authentication required"),
            ("Bearer " + tokenA, a.AuthId, "authentication required"),
            (Basic(a.AuthId.ToLowerInvariant(), tokenA), a.AuthId, "authentication failed"),
        };
        using var client = CaTrust.Client(server.CaPath, server.PublicPort);
        foreach (var (header, path, message) in cases)
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, $"/v1/Account/{path}/");
            if (header is not null)
                request.Headers.TryAddWithoutValidation("Authorization", header);
            using var response = await client.SendAsync(request);
            Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
            Assert.Contains("Basic", response.Headers.WwwAuthenticate.ToString());
            var body = System.Text.Json.JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
            Assert.Contains(message, body.ErrorMessage());
            Assert.DoesNotContain(tokenA, body.GetRawText());
        }
    }

    [Theory]
    [MemberData(nameof(TestStorage.Providers), MemberType = typeof(TestStorage))]
    public async Task Rotation_without_grace_stops_the_old_token_at_once(StorageProvider provider)
    {
        using var storage = await TestStorage.CreateAsync(provider);
        await using var server = await RunningServer.StartAsync(storage);
        var (account, oldToken) = await server.CreateAccountAsync();
        using var old = server.ApiClient(account.AuthId, oldToken);

        var (status, body) = await old.PostJsonAsync($"/v1/Account/{account.AuthId}/AuthToken/", new { });
        Assert.Equal(HttpStatusCode.OK, status);
        var newToken = body.Str("auth_token");
        Assert.NotEqual(oldToken, newToken);
        Assert.Equal(System.Text.Json.JsonValueKind.Null, body.GetProperty("previous_token_expires_at").ValueKind);

        Assert.Equal(HttpStatusCode.Unauthorized, (await old.GetJsonAsync($"/v1/Account/{account.AuthId}/")).Status);
        using var fresh = server.ApiClient(account.AuthId, newToken);
        Assert.Equal(HttpStatusCode.OK, (await fresh.GetJsonAsync($"/v1/Account/{account.AuthId}/")).Status);
    }

    [Theory]
    [MemberData(nameof(TestStorage.Providers), MemberType = typeof(TestStorage))]
    public async Task Rotation_with_grace_keeps_the_old_token_until_the_grace_ends(StorageProvider provider)
    {
        using var storage = await TestStorage.CreateAsync(provider);
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var server = await RunningServer.StartAsync(storage, RunningServer.OnAFakeClock, configure: b => b.Services.Replace(ServiceDescriptor.Singleton<TimeProvider>(time)));
        var (account, oldToken) = await server.CreateAccountAsync();
        using var old = server.ApiClient(account.AuthId, oldToken);

        var (_, body) = await old.PostJsonAsync($"/v1/Account/{account.AuthId}/AuthToken/", new { grace_period = 3600 });
        using var fresh = server.ApiClient(account.AuthId, body.Str("auth_token"));

        Assert.Equal(HttpStatusCode.OK, (await old.GetJsonAsync($"/v1/Account/{account.AuthId}/")).Status);
        Assert.Equal(HttpStatusCode.OK, (await fresh.GetJsonAsync($"/v1/Account/{account.AuthId}/")).Status);
        time.Advance(TimeSpan.FromSeconds(3601));
        Assert.Equal(HttpStatusCode.Unauthorized, (await old.GetJsonAsync($"/v1/Account/{account.AuthId}/")).Status);
        Assert.Equal(HttpStatusCode.OK, (await fresh.GetJsonAsync($"/v1/Account/{account.AuthId}/")).Status);
    }

    [Fact]
    public async Task A_clients_successes_are_recorded_once_per_window_and_every_failure_is_recorded()
    {
        using var storage = await TestStorage.CreateAsync(StorageProvider.Sqlite);
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var sink = new RecordingSink();
        await using var server = await RunningServer.StartAsync(storage, ["--Auth:SignIns:RecordSeconds", "60", .. RunningServer.OnAFakeClock], configure: b =>
        {
            b.Services.Replace(ServiceDescriptor.Singleton<TimeProvider>(time));
            b.Services.Replace(ServiceDescriptor.Singleton<ISecurityEventSink>(sink));
        });
        var (account, token) = await server.CreateAccountAsync();
        var path = $"/v1/Account/{account.AuthId}/";
        int Succeeded() => sink.Events.Count(e => e.Kind == SecurityEventKind.AuthenticationSucceeded && e.AuthId == account.AuthId);
        int Failed() => sink.Events.Count(e => e.Kind == SecurityEventKind.AuthenticationFailed && e.AuthId == account.AuthId);

        using var client = server.ApiClient(account.AuthId, token);
        client.DefaultRequestHeaders.UserAgent.ParseAdd("first-client/1.0");
        for (var i = 0; i < 3; i++)
            Assert.Equal(HttpStatusCode.OK, (await client.GetJsonAsync(path)).Status);
        Assert.Equal(1, Succeeded());

        // Another client (user agent) of the same account is recorded on its own.
        using var other = server.ApiClient(account.AuthId, token);
        other.DefaultRequestHeaders.UserAgent.ParseAdd("second-client/2.0");
        Assert.Equal(HttpStatusCode.OK, (await other.GetJsonAsync(path)).Status);
        Assert.Equal(2, Succeeded());

        // Failures are never coalesced.
        using var wrong = server.ApiClient(account.AuthId, new string('x', 40));
        wrong.DefaultRequestHeaders.UserAgent.ParseAdd("first-client/1.0");
        Assert.Equal(HttpStatusCode.Unauthorized, (await wrong.GetJsonAsync(path)).Status);
        Assert.Equal(HttpStatusCode.Unauthorized, (await wrong.GetJsonAsync(path)).Status);
        Assert.Equal(2, Failed());

        // Once the window has passed, the first client's next success is recorded again.
        time.Advance(TimeSpan.FromSeconds(61));
        Assert.Equal(HttpStatusCode.OK, (await client.GetJsonAsync(path)).Status);
        Assert.Equal(3, Succeeded());
    }

    [Fact]
    public async Task Repeated_failures_slow_down_then_get_429_with_retry_after_recorded_and_counted()
    {
        using var storage = await TestStorage.CreateAsync(StorageProvider.Sqlite);
        var time = new ObservedTimeProvider(DateTimeOffset.UtcNow);
        var sink = new RecordingSink();
        await using var server = await RunningServer.StartAsync(storage,
            ["--Auth:Throttle:SlowAfter", "2", "--Auth:Throttle:RefuseAfter", "4", "--Auth:Throttle:BaseDelay", "00:00:01", "--Auth:Throttle:Window", "00:10:00", .. RunningServer.OnAFakeClock],
            configure: b =>
            {
                b.Services.Replace(ServiceDescriptor.Singleton<TimeProvider>(time));
                b.Services.Replace(ServiceDescriptor.Singleton<ISecurityEventSink>(sink));
            });
        var (account, token) = await server.CreateAccountAsync();
        using var wrong = server.ApiClient(account.AuthId, new string('x', 40));
        var path = $"/v1/Account/{account.AuthId}/";

        // Failures 1 and 2 answer at once.
        Assert.Equal(HttpStatusCode.Unauthorized, (await wrong.GetJsonAsync(path)).Status);
        Assert.Equal(HttpStatusCode.Unauthorized, (await wrong.GetJsonAsync(path)).Status);

        // Failures 3 and 4 are held back until the clock has moved by 1 s, then 2 s.
        await HeldBackAsync(() => wrong.GetJsonAsync(path), time, TimeSpan.FromSeconds(1));
        await HeldBackAsync(() => wrong.GetJsonAsync(path), time, TimeSpan.FromSeconds(2));

        // Now refused, even with the right token, from this address and for this Auth ID.
        using var right = server.ApiClient(account.AuthId, token);
        using var refused = await right.GetAsync(path);
        Assert.Equal(HttpStatusCode.TooManyRequests, refused.StatusCode);
        var retryAfter = refused.Headers.RetryAfter?.Delta;
        Assert.NotNull(retryAfter);
        Assert.InRange(retryAfter.Value.TotalSeconds, 1, 600);
        Assert.Contains(sink.Events, e => e.Kind == SecurityEventKind.AuthenticationThrottled && e.AuthId == account.AuthId);
        Assert.All(sink.Events, e => Assert.DoesNotContain(token, e.ToString()));

        using var metrics = await server.Ops.GetAsync("/metrics");
        var text = await metrics.Content.ReadAsStringAsync();
        Assert.Matches(@"contacto_auth_failures_total\{[^}]*reason=""wrong_token""[^}]*\} 4", text);
        Assert.Matches(@"contacto_auth_throttled_total(\{[^}]*\})? [1-9]", text);

        // When the window has passed, the right token works again.
        time.Advance(TimeSpan.FromMinutes(10));
        Assert.Equal(HttpStatusCode.OK, (await right.GetJsonAsync(path)).Status);
    }

    [Fact]
    public async Task An_endpoint_mapped_on_the_account_API_is_authenticated_and_binds_its_caller_and_tenant_context()
    {
        using var storage = await TestStorage.CreateAsync(StorageProvider.Sqlite);
        await using var server = await RunningServer.StartAsync(storage, map: app => app.MapAccountApi().MapGet("/Probe/",
            (ApiCaller caller, ContactoDbContext db) => Results.Json(new { auth_id = caller.AuthId, tenant = db.TenantAccountId, actor = caller.Actor.AuthId })));
        var (a, tokenA) = await server.CreateAccountAsync("A");
        var (b, tokenB) = await server.CreateAccountAsync("B");

        // Nothing on the group can forget authentication: no credentials, or another account's, get the API's 401.
        using var anonymous = CaTrust.Client(server.CaPath, server.PublicPort);
        using var refused = await anonymous.GetAsync($"/v1/Account/{a.AuthId}/Probe/");
        Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
        Assert.Contains("Basic", refused.Headers.WwwAuthenticate.ToString());
        Assert.Contains("authentication required", System.Text.Json.JsonDocument.Parse(await refused.Content.ReadAsStringAsync()).RootElement.ErrorMessage());
        using var asB = server.ApiClient(b.AuthId, tokenB);
        Assert.Equal(HttpStatusCode.Unauthorized, (await asB.GetJsonAsync($"/v1/Account/{a.AuthId}/Probe/")).Status);

        using var asA = server.ApiClient(a.AuthId, tokenA);
        var (status, body) = await asA.GetJsonAsync($"/v1/Account/{a.AuthId}/Probe/");
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal(a.AuthId, body.Str("auth_id"));
        Assert.Equal(a.AuthId, body.Str("actor"));
        Assert.Equal(a.Id.ToString(), body.Str("tenant"));
    }

    [Fact]
    public async Task Every_account_API_endpoint_requires_the_API_scheme()
    {
        using var storage = await TestStorage.CreateAsync(StorageProvider.Sqlite);
        await using var server = await RunningServer.StartAsync(storage);
        var endpoints = server.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>()
            .Where(e => e.RoutePattern.RawText?.StartsWith(AccountApi.Root, StringComparison.Ordinal) == true).ToList();
        Assert.True(endpoints.Count > 20, $"only {endpoints.Count} account API endpoints found");
        foreach (var endpoint in endpoints)
        {
            var policies = endpoint.Metadata.GetOrderedMetadata<AuthorizationPolicy>();
            Assert.True(policies.Any(p => p.AuthenticationSchemes.Contains(AccountApi.Scheme)
                                          && p.Requirements.OfType<DenyAnonymousAuthorizationRequirement>().Any()),
                $"{endpoint.DisplayName} does not require {AccountApi.Scheme}");
        }
    }

    /// <summary>Proves the answer waits for a delay of exactly <paramref name="delay"/> on the clock, then is a 401.</summary>
    static async Task HeldBackAsync(Func<Task<(HttpStatusCode Status, System.Text.Json.JsonElement Body)>> send, ObservedTimeProvider time, TimeSpan delay)
    {
        // Other parts of the server arm timers too: wait for one more of this due time than before.
        var before = time.Armed.Count(t => t.DueTime == delay);
        var answer = send();
        await time.WaitForTimerAsync(_ => time.Armed.Count(t => t.DueTime == delay) > before);
        Assert.False(answer.IsCompleted);
        time.Advance(delay);
        Assert.Equal(HttpStatusCode.Unauthorized, (await answer.WaitAsync(TimeSpan.FromSeconds(30))).Status);
    }

    static async Task WaitUntil(Func<bool> condition)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        while (!condition())
        {
            timeout.Token.ThrowIfCancellationRequested();
            await Task.Yield();
        }
    }

    static string Basic(string id, string token) =>
        "Basic " + Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes($"{id}:{token}"));
}
