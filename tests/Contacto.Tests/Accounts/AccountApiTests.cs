using System.Net;
using Contacto.Storage;
using Contacto.Testing;

namespace Contacto.Tests.Accounts;

/// <summary>The Account and Subaccount API, on both storage providers.</summary>
public sealed class AccountApiTests
{
    [Theory]
    [MemberData(nameof(TestStorage.Providers), MemberType = typeof(TestStorage))]
    public async Task The_first_start_creates_one_demo_account_and_later_starts_do_not(StorageProvider provider)
    {
        using var storage = await TestStorage.CreateAsync(provider);
        string authId;
        await using (var first = await RunningServer.StartAsync(storage))
        {
            Assert.NotNull(first.FirstAccount);
            authId = first.FirstAccount.Account.AuthId;
            Assert.Matches("^MA[A-Z0-9]{18}$", authId);
            Assert.Matches("^[A-Za-z0-9]{40}$", first.FirstAccount.AuthToken);
            using var client = first.ApiClient(authId, first.FirstAccount.AuthToken);
            var (status, body) = await client.GetJsonAsync($"/v1/Account/{authId}/");
            Assert.Equal(HttpStatusCode.OK, status);
            Assert.Equal("Demo", body.Str("name"));
        }
        await using var second = await RunningServer.StartAsync(storage);
        Assert.Null(second.FirstAccount);
    }

    [Theory]
    [MemberData(nameof(TestStorage.Providers), MemberType = typeof(TestStorage))]
    public async Task Account_get_on_the_sdk_double_slash_path_and_update(StorageProvider provider)
    {
        using var storage = await TestStorage.CreateAsync(provider);
        await using var server = await RunningServer.StartAsync(storage);
        var (account, token) = await server.CreateAccountAsync("Acme");
        using var client = server.ApiClient(account.AuthId, token);

        var (status, body) = await client.SendAsync(HttpMethod.Get, $"/v1/Account/{account.AuthId}//", "\"\"");
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal(account.AuthId, body.Str("auth_id"));
        Assert.Equal("Acme", body.Str("name"));
        Assert.Equal("0.00000", body.Str("cash_credits"));
        Assert.Equal($"/v1/Account/{account.AuthId}/", body.Str("resource_uri"));
        Assert.Equal("standard", body.Str("account_type"));
        Assert.Equal("prepaid", body.Str("billing_mode"));
        Assert.False(body.GetProperty("auto_recharge").GetBoolean());

        (status, body) = await client.PostJsonAsync($"/v1/Account/{account.AuthId}/", new { name = "Acme Ltd", city = "Porto", address = "1 Rua", timezone = "Europe/Lisbon" });
        Assert.Equal(HttpStatusCode.Accepted, status);
        Assert.Equal("changed", body.Str("message"));

        (_, body) = await client.GetJsonAsync($"/v1/Account/{account.AuthId}/");
        Assert.Equal("Acme Ltd", body.Str("name"));
        Assert.Equal("Porto", body.Str("city"));
        Assert.Equal("1 Rua", body.Str("address"));
        Assert.Equal("Europe/Lisbon", body.Str("timezone"));

        using var form = new FormUrlEncodedContent([new("city", "Braga")]);
        using var response = await client.PostAsync($"/v1/Account/{account.AuthId}/", form);
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        (_, body) = await client.GetJsonAsync($"/v1/Account/{account.AuthId}/");
        Assert.Equal("Braga", body.Str("city"));
    }

    [Theory]
    [MemberData(nameof(TestStorage.Providers), MemberType = typeof(TestStorage))]
    public async Task Subaccount_lifecycle(StorageProvider provider)
    {
        using var storage = await TestStorage.CreateAsync(provider);
        await using var server = await RunningServer.StartAsync(storage);
        var (main, token) = await server.CreateAccountAsync("Main");
        using var client = server.ApiClient(main.AuthId, token);
        var root = $"/v1/Account/{main.AuthId}/Subaccount/";

        var (status, created) = await client.PostJsonAsync(root, new { name = "Sub1", enabled = "true" });
        Assert.Equal(HttpStatusCode.Created, status);
        Assert.Equal("created", created.Str("message"));
        var subId = created.Str("auth_id");
        var subToken = created.Str("auth_token");
        Assert.Matches("^SA[A-Z0-9]{18}$", subId);
        Assert.Equal(40, subToken.Length);

        var (_, got) = await client.GetJsonAsync($"{root}{subId}/");
        Assert.Equal("Sub1", got.Str("name"));
        Assert.True(got.GetProperty("enabled").GetBoolean());
        Assert.Equal(subToken, got.Str("auth_token"));
        Assert.Equal($"/v1/Account/{main.AuthId}/", got.Str("account"));
        Assert.Equal($"/v1/Account/{main.AuthId}/Subaccount/{subId}/", got.Str("resource_uri"));
        Assert.Equal(System.Text.Json.JsonValueKind.Null, got.GetProperty("modified").ValueKind);

        using (var sub = server.ApiClient(subId, subToken))
        {
            var (selfStatus, self) = await sub.GetJsonAsync($"/v1/Account/{subId}/");
            Assert.Equal(HttpStatusCode.OK, selfStatus);
            Assert.Equal("Sub1", self.Str("name"));
            var (forbidden, error) = await sub.GetJsonAsync($"/v1/Account/{subId}/Subaccount/");
            Assert.Equal(HttpStatusCode.Forbidden, forbidden);
            Assert.Contains("subaccount", error.ErrorMessage());
        }

        (status, _) = await client.PostJsonAsync(root, new { name = "Sub2", enabled = true });
        Assert.Equal(HttpStatusCode.Created, status);
        (status, _) = await client.PostJsonAsync(root, new { name = "Sub3" });
        Assert.Equal(HttpStatusCode.Created, status);

        var (_, page) = await client.GetJsonAsync($"{root}?limit=2&offset=0");
        var meta = page.GetProperty("meta");
        Assert.Equal(3, meta.GetProperty("total_count").GetInt32());
        Assert.Equal(2, meta.GetProperty("limit").GetInt32());
        Assert.Equal($"{root}?limit=2&offset=2", meta.Str("next"));
        Assert.Equal(System.Text.Json.JsonValueKind.Null, meta.GetProperty("previous").ValueKind);
        var names = page.GetProperty("objects").EnumerateArray().Select(o => o.Str("name")).ToList();
        Assert.Equal(["Sub3", "Sub2"], names);
        var (_, last) = await client.GetJsonAsync($"{root}?limit=2&offset=2");
        Assert.Equal("Sub1", Assert.Single(last.GetProperty("objects").EnumerateArray()).Str("name"));
        Assert.Equal($"{root}?limit=2&offset=0", last.GetProperty("meta").Str("previous"));

        (status, var changed) = await client.PostJsonAsync($"{root}{subId}/", new { name = "Sub1 renamed", enabled = "false" });
        Assert.Equal(HttpStatusCode.Accepted, status);
        Assert.Equal("changed", changed.Str("message"));
        (_, got) = await client.GetJsonAsync($"{root}{subId}/");
        Assert.Equal("Sub1 renamed", got.Str("name"));
        Assert.False(got.GetProperty("enabled").GetBoolean());
        Assert.NotEqual(System.Text.Json.JsonValueKind.Null, got.GetProperty("modified").ValueKind);
        using (var disabled = server.ApiClient(subId, subToken))
            Assert.Equal(HttpStatusCode.Unauthorized, (await disabled.GetJsonAsync($"/v1/Account/{subId}/")).Status);

        using (var delete = new HttpRequestMessage(HttpMethod.Delete, $"{root}{subId}/") { Content = System.Net.Http.Json.JsonContent.Create(new { cascade = "true" }) })
        using (var deleted = await client.SendAsync(delete))
        {
            Assert.Equal(HttpStatusCode.NoContent, deleted.StatusCode);
            Assert.Empty(await deleted.Content.ReadAsStringAsync());
        }
        var (gone, notFound) = await client.GetJsonAsync($"{root}{subId}/");
        Assert.Equal(HttpStatusCode.NotFound, gone);
        Assert.Equal("not found", notFound.ErrorMessage());
        Assert.Equal(HttpStatusCode.NotFound, (await client.SendAsync(HttpMethod.Delete, $"{root}{subId}/")).Status);
        Assert.Equal(2, (await client.GetJsonAsync(root)).Body.GetProperty("meta").GetProperty("total_count").GetInt32());
    }

    public static TheoryData<string, object, string> BadBodies => new()
    {
        { "Subaccount/", "{\"name\": ", "malformed JSON" },
        { "Subaccount/", "[1,2]", "object" },
        { "Subaccount/", new { name = "x", colour = "blue" }, "unknown parameter: colour" },
        { "Subaccount/", new { enabled = true }, "name is required" },
        { "Subaccount/", new { name = "x", enabled = "yes" }, "enabled must be true or false" },
        { "Subaccount/", new { name = new { first = "x" } }, "name must be a string" },
        { "Subaccount/", new { name = new string('x', 101) }, "longer than 100" },
        { "Subaccount/", new { name = "bell\u0007" }, "control characters" },
        { "Subaccount/", "{\"name\":\"a\",\"name\":\"b\"}", "duplicate parameter: name" },
        { "", new { timezone = "Mars/Olympus" }, "timezone" },
        { "", new { name = "" }, "name cannot be empty" },
        { "AuthToken/", new { grace_period = 86401 }, "grace_period" },
        { "AuthToken/", new { grace_period = "soon" }, "grace_period" },
    };

    [Theory]
    [MemberData(nameof(BadBodies))]
    public async Task Bad_input_gets_a_400_that_says_what_is_wrong_and_changes_nothing(string path, object body, string expected)
    {
        using var storage = await TestStorage.CreateAsync(StorageProvider.Sqlite);
        await using var server = await RunningServer.StartAsync(storage);
        var (account, token) = await server.CreateAccountAsync("Unchanged");
        using var client = server.ApiClient(account.AuthId, token);

        var (status, error) = await client.PostJsonAsync($"/v1/Account/{account.AuthId}/{path}", body);

        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Contains(expected, error.ErrorMessage());
        var (_, after) = await client.GetJsonAsync($"/v1/Account/{account.AuthId}/");
        Assert.Equal("Unchanged", after.Str("name"));
        Assert.Equal(0, (await client.GetJsonAsync($"/v1/Account/{account.AuthId}/Subaccount/")).Body.GetProperty("meta").GetProperty("total_count").GetInt32());
    }

    [Fact]
    public async Task Oversize_bodies_unsupported_types_unknown_routes_and_methods_get_the_error_shape()
    {
        using var storage = await TestStorage.CreateAsync(StorageProvider.Sqlite);
        await using var server = await RunningServer.StartAsync(storage);
        var (account, token) = await server.CreateAccountAsync();
        using var client = server.ApiClient(account.AuthId, token);
        var root = $"/v1/Account/{account.AuthId}/";

        var (status, error) = await client.PostJsonAsync($"{root}Subaccount/", new { name = new string('x', 2 * 1024 * 1024) });
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, status);
        Assert.Contains("too large", error.ErrorMessage());

        using var xml = new StringContent("<name>x</name>", System.Text.Encoding.UTF8, "application/xml");
        using var unsupported = await client.PostAsync($"{root}Subaccount/", xml);
        Assert.Equal(HttpStatusCode.UnsupportedMediaType, unsupported.StatusCode);

        (status, error) = await client.GetJsonAsync($"{root}NoSuchThing/");
        Assert.Equal(HttpStatusCode.NotFound, status);
        Assert.Equal("not found", error.ErrorMessage());

        (status, error) = await client.SendAsync(HttpMethod.Put, root, new { name = "x" });
        Assert.Equal(HttpStatusCode.MethodNotAllowed, status);
        Assert.Equal("method not allowed", error.ErrorMessage());

        (status, error) = await client.GetJsonAsync($"{root}Subaccount/?limit=21");
        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Contains("limit", error.ErrorMessage());
    }
}
