using System.Net;
using System.Text.Json;
using Contacto.Storage;
using Contacto.Testing;
using Contacto.Tests.Api;

namespace Contacto.Tests.Tenancy;

/// <summary>
/// Walks every endpoint the application maps under <c>/v1/Account/{auth_id}/</c> with a second
/// tenant's credentials against the first tenant's resources. An endpoint whose route parameters
/// or body the matrix does not know fails the test, so no new endpoint can skip it: teach the
/// matrix (<see cref="ApiSurface"/>: the seeded tenant's resources, its bodies) instead.
/// </summary>
public sealed class IsolationMatrixTests
{
    [Theory]
    [MemberData(nameof(TestStorage.Providers), MemberType = typeof(TestStorage))]
    public async Task No_endpoint_lets_one_tenant_reach_another(StorageProvider provider)
    {
        using var storage = await TestStorage.CreateAsync(provider);
        await using var server = await RunningServer.StartAsync(storage);
        var a = await ApiSurface.SeedTenantAsync(server);
        var (b, tokenB) = await server.CreateAccountAsync("Tenant B");
        using var asB = server.ApiClient(b.AuthId, tokenB);

        var endpoints = ApiSurface.Endpoints(server).Where(e => e.IsAccountApi).ToList();
        Assert.NotEmpty(endpoints);
        foreach (var (method, pattern, _) in endpoints)
        {
            var key = $"{method} {pattern}";
            var parameters = ApiSurface.Parameters(pattern).Where(p => p != "auth_id").ToList();
            foreach (var parameter in parameters)
                Assert.True(a.ResourceIds.ContainsKey(parameter), $"{key}: the matrix does not know route parameter '{parameter}'; seed the tenant with one (ApiSurface)");
            var body = method is "POST" or "PUT" or "PATCH" or "DELETE"
                ? ApiSurface.Bodies.GetValueOrDefault(key) ?? throw new Xunit.Sdk.XunitException($"{key}: the matrix has no body for this endpoint; add one to ApiSurface.Bodies")
                : null;

            // 1. B's credentials on A's Auth ID: refused before anything is read.
            var (status, response) = await asB.SendAsync(new HttpMethod(method), ApiSurface.Fill(pattern, a.AuthId, a.ResourceIds), body);
            Assert.True(status == HttpStatusCode.Unauthorized, $"{key} with A's path answered {status}");
            AssertNothingOf(a, response, key);

            // 2. B on its own path, pointed at A's resources: they do not exist for B.
            (status, response) = await asB.SendAsync(new HttpMethod(method), ApiSurface.Fill(pattern, b.AuthId, a.ResourceIds), body);
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

    static void AssertNothingOf(SeededTenant a, System.Text.Json.JsonElement response, string key)
    {
        var text = response.ValueKind == System.Text.Json.JsonValueKind.Undefined ? "" : response.GetRawText();
        foreach (var secret in a.Secrets)
            Assert.False(text.Contains(secret, StringComparison.Ordinal), $"{key} revealed tenant A's data");
    }
}
