using Contacto.Storage;
using Contacto.Testing;

namespace Contacto.Tests.Api;

/// <summary>The official Plivo Node SDK, unchanged, as a client of Contacto's Account and Subaccount API.</summary>
public sealed class PlivoSdkAccountTests
{
    [Theory]
    [MemberData(nameof(TestStorage.Providers), MemberType = typeof(TestStorage))]
    public async Task The_official_SDK_manages_the_account_and_subaccounts(StorageProvider provider)
    {
        using var storage = await TestStorage.CreateAsync(provider);
        await using var server = await RunningServer.StartAsync(storage);
        var (account, token) = await server.CreateAccountAsync("SDK customer");

        var result = await NodeSdk.RunAsync("accounts.js", server, account.AuthId, token);

        var got = result.GetProperty("account");
        Assert.Equal("SDK customer", got.Str("name"));
        Assert.Equal("0.00000", got.Str("cashCredits"));
        Assert.Equal($"/v1/Account/{account.AuthId}/", got.Str("resourceUri"));
        Assert.Equal("changed", result.GetProperty("update").Str("message"));
        Assert.Equal("Renamed by SDK", result.GetProperty("renamed").Str("name"));
        Assert.Equal("Lisbon", result.GetProperty("renamed").Str("city"));

        var created = result.GetProperty("created");
        Assert.Equal("created", created.Str("message"));
        Assert.StartsWith("SA", created.Str("authId"));
        Assert.Equal(40, created.GetProperty("tokenLength").GetInt32());
        var fetched = result.GetProperty("fetched");
        Assert.Equal("Sub from SDK", fetched.Str("name"));
        Assert.True(fetched.GetProperty("enabled").GetBoolean());
        Assert.Equal($"/v1/Account/{account.AuthId}/", fetched.Str("account"));
        Assert.Equal($"/v1/Account/{created.Str("authId")}/", result.GetProperty("subaccountSelf").Str("resourceUri"));

        var list = result.GetProperty("list");
        Assert.Equal(1, list.GetProperty("count").GetInt32());
        Assert.Equal("Second sub", list.Str("first"));
        Assert.Equal(2, list.GetProperty("totalCount").GetInt32());
        Assert.EndsWith("limit=1&offset=1", list.Str("next"));

        Assert.Equal("changed", result.GetProperty("subUpdate").Str("message"));
        Assert.Equal(401, result.GetProperty("disabledSub").GetProperty("status").GetInt32());
        Assert.True(result.GetProperty("deleted").GetBoolean());
        Assert.Equal(404, result.GetProperty("afterDelete").GetProperty("status").GetInt32());
        Assert.Equal("not found", result.GetProperty("afterDelete").Str("message"));
        Assert.Equal(401, result.GetProperty("badToken").GetProperty("status").GetInt32());
    }
}
