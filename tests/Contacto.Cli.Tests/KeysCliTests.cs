using System.Net;
using Contacto.Cli;
using Contacto.Storage;
using Contacto.Testing;

namespace Contacto.Cli.Tests;

/// <summary>The operator's <c>contacto keys</c> commands beside a running server on the same storage.</summary>
public sealed class KeysCliTests
{
    [Theory]
    [MemberData(nameof(TestStorage.Providers), MemberType = typeof(TestStorage))]
    public async Task Rotate_retire_and_rotate_the_kek_while_the_server_keeps_serving(StorageProvider provider)
    {
        using var storage = await TestStorage.CreateAsync(provider);
        await using var server = await RunningServer.StartAsync(storage);
        var tenant = await server.CreateAccountAsync("Keys Co");
        var authId = tenant.Account.AuthId;

        var before = await CliRunner.RunAsync(storage, "keys", "list", "--account", authId);
        Assert.Contains("Encryption  v1  Active   kek v1", before);
        Assert.Contains("BlindIndex  v1  Active   kek v1", before);

        Assert.Contains("Data key version 2 is now current", await CliRunner.RunAsync(storage, "keys", "rotate", "--account", authId));
        Assert.Contains("retired", await CliRunner.RunAsync(storage, "keys", "retire", "--account", authId, "--version", "1"));
        var rotated = await CliRunner.RunAsync(storage, "keys", "rotate-kek", "--batch-size", "2");

        Assert.Contains("KEK version 2 is current", rotated);
        Assert.Matches(@"rewrapped (\d+)/\1", rotated);
        var after = await CliRunner.RunAsync(storage, "keys", "list", "--account", authId);
        Assert.Contains("Encryption  v1  Retired  kek v2", after);
        Assert.Contains("Encryption  v2  Active   kek v2", after);
        Assert.Contains("BlindIndex  v1  Active   kek v2", after);
        Assert.DoesNotContain("kek v1", after);
        using var client = server.ApiClient(authId, tenant.AuthToken);
        Assert.Equal(HttpStatusCode.OK, (await client.GetJsonAsync($"/v1/Account/{authId}/")).Status);
    }

    [Fact]
    public async Task Unknown_account_and_bad_batch_size_are_refused()
    {
        using var storage = await TestStorage.CreateAsync(StorageProvider.Sqlite);
        await CliRunner.RunAsync(storage, "db", "migrate");
        var error = new StringWriter();

        Assert.Equal(1, await ContactoCli.InvokeAsync([.. storage.Arguments, "keys", "rotate", "--account", "MA" + new string('0', 18)], TextWriter.Null, error));
        Assert.Equal(2, await ContactoCli.InvokeAsync([.. storage.Arguments, "keys", "rotate-kek", "--batch-size", "0"], TextWriter.Null, error));

        Assert.Contains("no account", error.ToString());
        Assert.Contains("--batch-size", error.ToString());
    }
}
