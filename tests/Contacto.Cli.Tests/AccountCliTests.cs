using System.Net;
using System.Text.Json;
using Contacto.Cli;
using Contacto.Storage;
using Contacto.Testing;

namespace Contacto.Cli.Tests;

/// <summary>The operator's <c>contacto account</c> commands against the same storage as a running server.</summary>
public sealed class AccountCliTests
{
    [Theory]
    [MemberData(nameof(TestStorage.Providers), MemberType = typeof(TestStorage))]
    public async Task Create_list_disable_enable_and_rotate(StorageProvider provider)
    {
        using var storage = await TestStorage.CreateAsync(provider);
        await using var server = await RunningServer.StartAsync(storage);

        var created = await CliRunner.RunAsync(storage, "account", "create", "--name", "Cli Co", "--json");
        var json = JsonDocument.Parse(created).RootElement;
        var authId = json.Str("auth_id");
        var token = json.Str("auth_token");
        using (var client = server.ApiClient(authId, token))
            Assert.Equal(HttpStatusCode.OK, (await client.GetJsonAsync($"/v1/Account/{authId}/")).Status);

        var list = await CliRunner.RunAsync(storage, "account", "list");
        Assert.Contains(authId, list);
        Assert.Contains("Cli Co", list);
        Assert.DoesNotContain(token, list);

        Assert.Contains("disabled", await CliRunner.RunAsync(storage, "account", "disable", authId));
        using (var client = server.ApiClient(authId, token))
            Assert.Equal(HttpStatusCode.Unauthorized, (await client.GetJsonAsync($"/v1/Account/{authId}/")).Status);
        Assert.Contains("enabled", await CliRunner.RunAsync(storage, "account", "enable", authId));
        using (var client = server.ApiClient(authId, token))
            Assert.Equal(HttpStatusCode.OK, (await client.GetJsonAsync($"/v1/Account/{authId}/")).Status);

        var rotated = JsonDocument.Parse(await CliRunner.RunAsync(storage, "account", "rotate-token", authId, "--json")).RootElement;
        var newToken = rotated.Str("auth_token");
        Assert.NotEqual(token, newToken);
        using (var old = server.ApiClient(authId, token))
            Assert.Equal(HttpStatusCode.Unauthorized, (await old.GetJsonAsync($"/v1/Account/{authId}/")).Status);
        using (var fresh = server.ApiClient(authId, newToken))
            Assert.Equal(HttpStatusCode.OK, (await fresh.GetJsonAsync($"/v1/Account/{authId}/")).Status);
    }

    [Fact]
    public async Task Unknown_accounts_and_bad_grace_are_refused()
    {
        using var storage = await TestStorage.CreateAsync(StorageProvider.Sqlite);
        await using var server = await RunningServer.StartAsync(storage);
        var error = new StringWriter();
        Assert.Equal(1, await ContactoCli.InvokeAsync([.. storage.Arguments, "account", "disable", "MA" + new string('0', 18)], TextWriter.Null, error));
        Assert.Contains("no account", error.ToString());
        Assert.Equal(2, await ContactoCli.InvokeAsync([.. storage.Arguments, "account", "rotate-token", server.FirstAccount!.Account.AuthId, "--grace", "90000"], TextWriter.Null, error));
        Assert.Contains("--grace", error.ToString());
    }
}
