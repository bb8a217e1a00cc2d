using System.Net;
using System.Text.Json;
using System.Text.RegularExpressions;
using Contacto.Api;
using Contacto.Storage;
using Contacto.Testing;
using Contacto.Tests.Messaging;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace Contacto.Tests.Tenancy;

/// <summary>
/// Walks every endpoint the application maps under <c>/v1/Account/{auth_id}/</c> with a second
/// tenant's credentials against the first tenant's resources. An endpoint whose route parameters
/// or body the matrix does not know fails the test, so no new endpoint can skip it: teach the
/// matrix (<see cref="TenantA"/>'s resources, <see cref="Bodies"/>) instead.
/// </summary>
public sealed partial class IsolationMatrixTests
{
    /// <summary>The first tenant's data: what B must never see, and the ids B is sent at.</summary>
    sealed record TenantA(string AuthId, string Token, Dictionary<string, string> ResourceIds, string[] Secrets);

    /// <summary>A valid body for each endpoint that takes one, so a refusal cannot be a mere 400.</summary>
    static readonly Dictionary<string, object> Bodies = new()
    {
        ["POST /v1/Account/{auth_id}/"] = new { name = "Renamed by B" },
        ["POST /v1/Account/{auth_id}/AuthToken/"] = new { grace_period = 86400 },
        ["POST /v1/Account/{auth_id}/Subaccount/"] = new { name = "B's sub" },
        ["POST /v1/Account/{auth_id}/Subaccount/{subauth_id}/"] = new { name = "Hijacked" },
        ["DELETE /v1/Account/{auth_id}/Subaccount/{subauth_id}/"] = new { cascade = "true" },
        ["POST /v1/Account/{auth_id}/Application/"] = new { app_name = "Bs_app" },
        ["POST /v1/Account/{auth_id}/Application/{app_id}/"] = new { app_name = "Hijacked" },
        ["DELETE /v1/Account/{auth_id}/Application/{app_id}/"] = new { cascade = "true" },
        ["POST /v1/Account/{auth_id}/Message/"] = new { src = MessagingHarness.Sender, dst = MessagingHarness.Destination(9), text = "from B" },
        ["POST /v1/Account/{auth_id}/Number/{number}/"] = new { alias = "Hijacked" },
        ["POST /v1/Account/{auth_id}/WebhookSettings/"] = new { max_connections_per_host = 3 },
        ["DELETE /v1/Account/{auth_id}/Number/{number}/"] = "",
    };

    [Theory]
    [MemberData(nameof(TestStorage.Providers), MemberType = typeof(TestStorage))]
    public async Task No_endpoint_lets_one_tenant_reach_another(StorageProvider provider)
    {
        using var storage = await TestStorage.CreateAsync(provider);
        await using var server = await RunningServer.StartAsync(storage);
        var a = await SeedTenantAAsync(server);
        var (b, tokenB) = await server.CreateAccountAsync("Tenant B");
        using var asB = server.ApiClient(b.AuthId, tokenB);

        var endpoints = ApiEndpoints(server).ToList();
        Assert.NotEmpty(endpoints);
        foreach (var (method, pattern) in endpoints)
        {
            var key = $"{method} {pattern}";
            var parameters = RouteParameters().Matches(pattern).Select(m => m.Groups[1].Value).Where(p => p != "auth_id").ToList();
            foreach (var parameter in parameters)
                Assert.True(a.ResourceIds.ContainsKey(parameter), $"{key}: the matrix does not know route parameter '{parameter}'; seed tenant A with one");
            var body = method is "POST" or "PUT" or "PATCH" or "DELETE"
                ? Bodies.GetValueOrDefault(key) ?? throw new Xunit.Sdk.XunitException($"{key}: the matrix has no body for this endpoint; add one to Bodies")
                : null;

            // 1. B's credentials on A's Auth ID: refused before anything is read.
            var (status, response) = await asB.SendAsync(new HttpMethod(method), Fill(pattern, a.AuthId, a.ResourceIds), body);
            Assert.True(status == HttpStatusCode.Unauthorized, $"{key} with A's path answered {status}");
            AssertNothingOf(a, response, key);

            // 2. B on its own path, pointed at A's resources: they do not exist for B.
            (status, response) = await asB.SendAsync(new HttpMethod(method), Fill(pattern, b.AuthId, a.ResourceIds), body);
            if (parameters.Count > 0)
                Assert.True(status == HttpStatusCode.NotFound, $"{key} on A's resources answered {status}");
            else
                Assert.True((int)status < 500, $"{key} answered {status}");
            AssertNothingOf(a, response, key);
        }

        // A's data is intact after everything B tried.
        using var asA = server.ApiClient(a.AuthId, a.Token);
        var (_, account) = await asA.GetJsonAsync($"/v1/Account/{a.AuthId}/");
        Assert.Equal("Tenant A", account.Str("name"));
        var (subStatus, sub) = await asA.GetJsonAsync($"/v1/Account/{a.AuthId}/Subaccount/{a.ResourceIds["subauth_id"]}/");
        Assert.Equal(HttpStatusCode.OK, subStatus);
        Assert.Equal("A's sub", sub.Str("name"));
        var (numberStatus, number) = await asA.GetJsonAsync($"/v1/Account/{a.AuthId}/Number/{a.ResourceIds["number"]}/");
        Assert.Equal(HttpStatusCode.OK, numberStatus);
        Assert.Equal(JsonValueKind.Null, number.GetProperty("alias").ValueKind);
    }

    /// <summary>A's message has status callbacks, so B must not reach them (nor A's callback URL).</summary>
    const string CallbackUrl = "https://cb.example.com/status/?key=a-callback-secret";

    static async Task<TenantA> SeedTenantAAsync(RunningServer server)
    {
        var (account, token) = await server.CreateAccountAsync("Tenant A");
        using var client = server.ApiClient(account.AuthId, token);
        var (_, sub) = await client.PostJsonAsync($"/v1/Account/{account.AuthId}/Subaccount/", new { name = "A's sub", enabled = true });
        var (_, app) = await client.PostJsonAsync($"/v1/Account/{account.AuthId}/Application/", new { app_name = "A_app" });
        await MessagingHarness.AddNumberAsync(server, account.Id, MessagingHarness.Sender);
        var (_, sent) = await client.PostJsonAsync($"/v1/Account/{account.AuthId}/Message/",
            new { src = MessagingHarness.Sender, dst = MessagingHarness.Destination(8), text = "A's message", url = CallbackUrl });
        var number = MessagingHarness.Sender.TrimStart('+');
        return new TenantA(account.AuthId, token,
            new Dictionary<string, string>
            {
                ["subauth_id"] = sub.Str("auth_id"),
                ["message_uuid"] = sent.GetProperty("message_uuid")[0].GetString()!,
                ["number"] = number,
                ["app_id"] = app.Str("app_id"),
            },
            [account.AuthId, token, sub.Str("auth_id"), sub.Str("auth_token"), "Tenant A", "A's sub", sent.GetProperty("message_uuid")[0].GetString()!,
                number, MessagingHarness.Destination(8).TrimStart('+'), "A_app", app.Str("app_id"), "a-callback-secret"]);
    }

    static IEnumerable<(string Method, string Pattern)> ApiEndpoints(RunningServer server) =>
        server.Services.GetRequiredService<EndpointDataSource>().Endpoints
            .OfType<RouteEndpoint>()
            .Where(e => e.RoutePattern.RawText?.StartsWith(AccountApi.Root, StringComparison.Ordinal) == true)
            .SelectMany(e => (e.Metadata.GetMetadata<HttpMethodMetadata>()?.HttpMethods ?? ["GET"]).Select(m => (m, e.RoutePattern.RawText!)))
            .OrderBy(e => e.Item2).ThenBy(e => e.m);

    static string Fill(string pattern, string authId, Dictionary<string, string> resources) =>
        RouteParameters().Replace(pattern, m => m.Groups[1].Value == "auth_id" ? authId : resources[m.Groups[1].Value]);

    static void AssertNothingOf(TenantA a, System.Text.Json.JsonElement response, string key)
    {
        var text = response.ValueKind == System.Text.Json.JsonValueKind.Undefined ? "" : response.GetRawText();
        foreach (var secret in a.Secrets)
            Assert.False(text.Contains(secret, StringComparison.Ordinal), $"{key} revealed tenant A's data");
    }

    [GeneratedRegex(@"\{([a-z_]+)\}")]
    private static partial Regex RouteParameters();
}
