using System.Net;
using Contacto.Storage;
using Contacto.Testing;

namespace Contacto.Tests.Applications;

/// <summary>The Application API, on both providers.</summary>
public sealed class ApplicationApiTests
{
    static readonly string[] AllowLoopback = ["--Webhooks:AllowedNetworks:0", "127.0.0.0/8"];

    [Theory]
    [MemberData(nameof(TestStorage.Providers), MemberType = typeof(TestStorage))]
    public async Task Create_get_list_update_and_delete(StorageProvider provider)
    {
        using var storage = await TestStorage.CreateAsync(provider);
        await using var server = await RunningServer.StartAsync(storage, AllowLoopback);
        var (account, token) = await server.CreateAccountAsync();
        using var client = server.ApiClient(account.AuthId, token);
        var root = $"/v1/Account/{account.AuthId}/Application/";

        var (status, created) = await client.PostJsonAsync(root, new
        {
            app_name = "sms-bot",
            message_url = "http://127.0.0.1:8080/sms",
            message_method = "GET",
            log_incoming_messages = "false",
        });
        Assert.Equal(HttpStatusCode.Created, status);
        Assert.Equal("created", created.Str("message"));
        var appId = created.Str("app_id");
        Assert.Matches("^[0-9]{17}$", appId);

        var (_, got) = await client.GetJsonAsync($"{root}{appId}/");
        Assert.Equal("sms-bot", got.Str("app_name"));
        Assert.Equal("http://127.0.0.1:8080/sms", got.Str("message_url"));
        Assert.Equal("GET", got.Str("message_method"));
        Assert.False(got.GetProperty("log_incoming_messages").GetBoolean());
        Assert.Equal($"/v1/Account/{account.AuthId}/Application/{appId}/", got.Str("resource_uri"));

        await client.PostJsonAsync(root, new { app_name = "second" });
        var (_, page) = await client.GetJsonAsync($"{root}?limit=1");
        Assert.Equal(2, page.GetProperty("meta").GetProperty("total_count").GetInt32());
        Assert.Equal("second", Assert.Single(page.GetProperty("objects").EnumerateArray()).Str("app_name"));

        (status, _) = await client.PostJsonAsync($"{root}{appId}/", new { message_url = "http://127.0.0.1:8080/v2", message_method = "POST" });
        Assert.Equal(HttpStatusCode.Accepted, status);
        (_, got) = await client.GetJsonAsync($"{root}{appId}/");
        Assert.Equal("http://127.0.0.1:8080/v2", got.Str("message_url"));
        Assert.Equal("POST", got.Str("message_method"));

        (status, _) = await client.SendAsync(HttpMethod.Delete, $"{root}{appId}/", new { cascade = "true" });
        Assert.Equal(HttpStatusCode.NoContent, status);
        Assert.Equal(HttpStatusCode.NotFound, (await client.GetJsonAsync($"{root}{appId}/")).Status);
    }

    public static TheoryData<object, string> BadApplications => new()
    {
        { new { message_url = "http://127.0.0.1/" }, "app_name is required" },
        { new { app_name = "has spaces" }, "app_name" },
        { new { app_name = "x", message_url = "ftp://example.com/" }, "message_url" },
        { new { app_name = "x", message_url = "http://user:pw@127.0.0.1/" }, "message_url" },
        { new { app_name = "x", message_url = "http://169.254.169.254/latest/meta-data/" }, "not allowed" },
        { new { app_name = "x", message_url = "http://[::1]:9/" }, "not allowed" },
        { new { app_name = "x", message_url = "http://2852039166/" }, "not allowed" }, // 169.254.169.254 in decimal
        { new { app_name = "x", message_method = "PUT" }, "message_method" },
        { new { app_name = "x", subaccount = "SA000000000000000000" }, "subaccount" },
        { new { app_name = "x", colour = "red" }, "unknown parameter" },
    };

    [Theory]
    [MemberData(nameof(BadApplications))]
    public async Task Bad_applications_and_unsafe_urls_are_refused_when_saved(object body, string expected)
    {
        using var storage = await TestStorage.CreateAsync(StorageProvider.Sqlite);
        // Only 127.0.0.0/8 is allowed: ::1, metadata and other private ranges stay refused.
        await using var server = await RunningServer.StartAsync(storage, AllowLoopback);
        var (account, token) = await server.CreateAccountAsync();
        using var client = server.ApiClient(account.AuthId, token);

        var (status, error) = await client.PostJsonAsync($"/v1/Account/{account.AuthId}/Application/", body);

        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Contains(expected, error.ErrorMessage());
        Assert.Equal(0, (await client.GetJsonAsync($"/v1/Account/{account.AuthId}/Application/")).Body.GetProperty("meta").GetProperty("total_count").GetInt32());
    }
}
