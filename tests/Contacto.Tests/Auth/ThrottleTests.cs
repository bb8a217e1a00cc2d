using System.Net;
using Contacto.Audit;
using Contacto.Auth;
using Contacto.Platform;
using Contacto.Storage;
using Contacto.Testing;
using Contacto.Tests.Console;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace Contacto.Tests.Auth;

/// <summary>
/// Failed authentication slows and then refuses the failing source, never the rightful owner of
/// the Auth ID or e-mail address it names; the tables stay bounded and keep counting; sources are
/// IPv6 /64s; a forwarded client address is believed only from a configured proxy.
/// </summary>
public sealed class ThrottleTests
{
    static readonly IPAddress Attacker = IPAddress.Parse("127.0.0.2");
    static readonly IPAddress Owner = IPAddress.Parse("127.0.0.3");

    /// <summary>Default thresholds (slow after 5, refuse at 20), without the delays, which only cost the test time.</summary>
    static readonly string[] NoDelays = ["--Auth:Throttle:BaseDelay", "00:00:00", "--Auth:Throttle:MaxDelay", "00:00:00"];

    [Fact]
    public async Task Twenty_bad_requests_naming_an_Auth_ID_refuse_their_source_but_not_the_owners_token_from_another_address()
    {
        using var storage = await TestStorage.CreateAsync(StorageProvider.Sqlite);
        await using var server = await RunningServer.StartAsync(storage, NoDelays);
        var (account, token) = await server.CreateAccountAsync();
        var path = $"/v1/Account/{account.AuthId}/";
        using var guesser = server.ApiClient(account.AuthId, new string('x', 40), Attacker);
        for (var i = 0; i < 20; i++)
            Assert.Equal(HttpStatusCode.Unauthorized, (await guesser.GetJsonAsync(path)).Status);
        Assert.Equal(HttpStatusCode.TooManyRequests, (await guesser.GetJsonAsync(path)).Status);

        using var owner = server.ApiClient(account.AuthId, token, Owner);
        Assert.Equal(HttpStatusCode.OK, (await owner.GetJsonAsync(path)).Status);

        // The failing source itself stays refused, whatever it sends.
        using var fromAttacker = server.ApiClient(account.AuthId, token, Attacker);
        Assert.Equal(HttpStatusCode.TooManyRequests, (await fromAttacker.GetJsonAsync(path)).Status);
    }

    [Fact]
    public async Task Twenty_bad_passwords_for_an_e_mail_address_refuse_their_source_but_not_the_owners_sign_in_from_another_address()
    {
        using var storage = await TestStorage.CreateAsync(StorageProvider.Sqlite);
        await using var console = await ConsoleServer.StartAsync(storage);
        var (account, _) = await console.Server.CreateAccountAsync();
        var member = await console.MemberAsync(account.AuthId, "owner@example.com");

        using var attacker = console.Browser(Attacker);
        for (var i = 0; i < 20; i++)
            Assert.Equal(HttpStatusCode.Unauthorized, (await attacker.SignInAsync(member.Email, $"guess number {i}")).Status);
        Assert.Equal(HttpStatusCode.TooManyRequests, (await attacker.SignInAsync(member.Email, ConsoleServer.Password)).Status);

        using var owner = console.Browser(Owner);
        var signedIn = await owner.SignInAsync(member.Email, ConsoleServer.Password);
        Assert.Equal(HttpStatusCode.Redirect, signedIn.Status);
        Assert.StartsWith("/console/second-factor", signedIn.Location);
    }

    [Fact]
    public void Failures_naming_an_identity_slow_every_source_that_names_it_but_refuse_none()
    {
        var throttle = Throttle(new FakeTimeProvider(DateTimeOffset.UtcNow), out var options);
        for (var i = 0; i < 3 * options.RefuseAfter; i++)
            throttle.RecordFailure(IPAddress.Parse($"198.51.100.{i % 250 + 1}"), "MAVICTIM000000000000");

        var fresh = IPAddress.Parse("203.0.113.9");
        Assert.Null(throttle.RefusedFor(fresh));
        Assert.Equal(options.MaxDelay, throttle.RecordFailure(fresh, "MAVICTIM000000000000"));
        // Another identity from that fresh source is not slowed by the victim's count.
        Assert.Equal(TimeSpan.Zero, throttle.RecordFailure(IPAddress.Parse("203.0.113.10"), "MAOTHER0000000000000"));
    }

    [Fact]
    public void The_tables_stay_bounded_under_a_flood_of_distinct_keys_and_still_refuse_a_repeat_offender()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var throttle = Throttle(time, out var options, maxTrackedKeys: 300);
        var flooded = 0;
        void Flood(int count)
        {
            for (var i = 0; i < count; i++, flooded++)
            {
                var bytes = BitConverter.GetBytes(flooded);
                Attempt(new IPAddress([10, bytes[2], bytes[1], bytes[0]]), $"MAFLOOD{flooded:D13}");
                var (sources, identities) = throttle.Tracked;
                Assert.True(sources <= 300 && identities <= 300, $"tracking {sources} sources and {identities} identities, more than 300");
            }
        }
        // As a request does: refused, or a failure counted.
        bool Attempt(IPAddress source, string? identity = null)
        {
            if (throttle.RefusedFor(source) is not null)
                return false;
            throttle.RecordFailure(source, identity);
            return true;
        }

        // One offender tries twice before a flood, the other first once the flood has long filled the tables.
        var early = IPAddress.Parse("203.0.113.1");
        var late = IPAddress.Parse("203.0.113.2");
        Flood(1_000);
        Assert.True(Attempt(early));
        Assert.True(Attempt(early));
        Flood(10_000);
        var (earlyAttempts, lateAttempts) = (2, 0);
        while (Attempt(late))
        {
            lateAttempts++;
            if (Attempt(early))
                earlyAttempts++;
            Flood(100);
            Assert.True(lateAttempts <= options.RefuseAfter, "the offender is never refused");
        }
        Assert.True((options.RefuseAfter, options.RefuseAfter) == (lateAttempts, earlyAttempts), $"late {lateAttempts}, early {earlyAttempts}");

        // Refused offenders stay refused through a flood far larger than the tables, until their window ends.
        Flood(10_000);
        Assert.NotNull(throttle.RefusedFor(early));
        Assert.NotNull(throttle.RefusedFor(late));
        time.Advance(options.Window);
        Assert.Null(throttle.RefusedFor(late));
    }

    [Fact]
    public void IPv6_sources_count_by_their_64_and_IPv4_mapped_ones_as_IPv4()
    {
        Assert.Equal(ClientSource.Of(IPAddress.Parse("2001:db8:1:2::1")), ClientSource.Of(IPAddress.Parse("2001:db8:1:2:ffff:ffff:ffff:ffff")));
        Assert.NotEqual(ClientSource.Of(IPAddress.Parse("2001:db8:1:2::1")), ClientSource.Of(IPAddress.Parse("2001:db8:1:3::1")));
        Assert.Equal(ClientSource.Of(IPAddress.Parse("192.0.2.7")), ClientSource.Of(IPAddress.Parse("::ffff:192.0.2.7")));
        Assert.NotEqual(ClientSource.Of(IPAddress.Parse("192.0.2.7")), ClientSource.Of(IPAddress.Parse("192.0.2.8")));

        var throttle = Throttle(new FakeTimeProvider(DateTimeOffset.UtcNow), out var options);
        for (var i = 0; i < options.RefuseAfter; i++)
            throttle.RecordFailure(IPAddress.Parse($"2001:db8:1:2::{i + 1:x}"), null);
        Assert.NotNull(throttle.RefusedFor(IPAddress.Parse("2001:db8:1:2:abcd::1")));
        Assert.Null(throttle.RefusedFor(IPAddress.Parse("2001:db8:1:3::1")));
    }

    [Fact]
    public async Task Two_IPv6_clients_in_one_64_behind_the_proxy_share_a_count()
    {
        using var storage = await TestStorage.CreateAsync(StorageProvider.Sqlite);
        await using var server = await RunningServer.StartAsync(storage, [.. NoDelays, "--Auth:Throttle:SlowAfter", "2", "--Auth:Throttle:RefuseAfter", "4", "--Listen:KnownProxies:0", "127.0.0.1"]);
        var (account, token) = await server.CreateAccountAsync();
        using var wrong = server.ApiClient(account.AuthId, new string('x', 40));
        using var right = server.ApiClient(account.AuthId, token);

        for (var i = 0; i < 4; i++)
            Assert.Equal(HttpStatusCode.Unauthorized, await StatusAsync(wrong, account.AuthId, i % 2 == 0 ? "2001:db8:1:2::1" : "2001:db8:1:2::2"));
        Assert.Equal(HttpStatusCode.TooManyRequests, await StatusAsync(right, account.AuthId, "2001:db8:1:2:ffff::3"));
        Assert.Equal(HttpStatusCode.OK, await StatusAsync(right, account.AuthId, "2001:db8:1:3::1"));
    }

    [Theory]
    [InlineData(null, null)] // ASP.NET Core's own default would trust loopback
    [InlineData("--Listen:KnownProxies:0", "10.9.9.9")]
    [InlineData("--Listen:KnownNetworks:0", "10.0.0.0/8")]
    public async Task X_Forwarded_For_from_a_client_that_is_not_a_configured_proxy_is_ignored(string? key, string? value)
    {
        using var storage = await TestStorage.CreateAsync(StorageProvider.Sqlite);
        string[] proxies = key is null ? [] : [key, value!];
        await using var server = await RunningServer.StartAsync(storage, [.. NoDelays, "--Auth:Throttle:SlowAfter", "2", "--Auth:Throttle:RefuseAfter", "4", .. proxies]);
        var (account, token) = await server.CreateAccountAsync();
        using var wrong = server.ApiClient(account.AuthId, new string('x', 40));
        using var right = server.ApiClient(account.AuthId, token);

        // Each failure claims another client; all four count against 127.0.0.1, who sent them.
        for (var i = 0; i < 4; i++)
            Assert.Equal(HttpStatusCode.Unauthorized, await StatusAsync(wrong, account.AuthId, $"203.0.113.{i + 1}"));
        Assert.Equal(HttpStatusCode.TooManyRequests, await StatusAsync(right, account.AuthId, "198.51.100.7"));
    }

    [Theory]
    [InlineData("--Listen:KnownProxies:0", "127.0.0.1")]
    [InlineData("--Listen:KnownNetworks:0", "127.0.0.0/8")]
    public async Task X_Forwarded_For_from_a_configured_proxy_names_the_client(string key, string value)
    {
        using var storage = await TestStorage.CreateAsync(StorageProvider.Sqlite);
        await using var server = await RunningServer.StartAsync(storage, [.. NoDelays, "--Auth:Throttle:SlowAfter", "2", "--Auth:Throttle:RefuseAfter", "4", key, value]);
        var (account, token) = await server.CreateAccountAsync();
        using var wrong = server.ApiClient(account.AuthId, new string('x', 40));
        using var right = server.ApiClient(account.AuthId, token);

        for (var i = 0; i < 4; i++)
            Assert.Equal(HttpStatusCode.Unauthorized, await StatusAsync(wrong, account.AuthId, "203.0.113.7"));
        Assert.Equal(HttpStatusCode.TooManyRequests, await StatusAsync(right, account.AuthId, "203.0.113.7"));
        // A client the proxy names behind a spoofed first hop is still the client the proxy saw.
        Assert.Equal(HttpStatusCode.OK, await StatusAsync(right, account.AuthId, "203.0.113.7, 198.51.100.7"));

        // The audit trail names the client, not the proxy.
        var (_, log) = await right.GetJsonAsync($"/v1/Account/{account.AuthId}/AuditLog/?action={AuditActions.AccountRead}");
        Assert.Equal("198.51.100.7", Assert.Single(log.GetProperty("objects").EnumerateArray()).GetProperty("actor").Str("source_address"));
    }

    static async Task<HttpStatusCode> StatusAsync(HttpClient client, string authId, string forwardedFor)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, $"/v1/Account/{authId}/");
        request.Headers.Add("X-Forwarded-For", forwardedFor);
        using var response = await client.SendAsync(request);
        return response.StatusCode;
    }

    static AuthThrottle Throttle(TimeProvider time, out AuthThrottleOptions options, int maxTrackedKeys = 100_000)
    {
        options = new AuthThrottleOptions { MaxTrackedKeys = maxTrackedKeys };
        return new AuthThrottle(Options.Create(options), time);
    }
}
