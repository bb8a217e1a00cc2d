using System.Net;
using Contacto.Cli;
using Contacto.Storage;
using Contacto.Testing;

namespace Contacto.Cli.Tests;

/// <summary>The operator's <c>contacto number add</c> against the same storage as a running server.</summary>
public sealed class NumberCliTests
{
    [Theory]
    [MemberData(nameof(TestStorage.Providers), MemberType = typeof(TestStorage))]
    public async Task An_added_number_can_send_and_shows_in_the_Number_API(StorageProvider provider)
    {
        using var storage = await TestStorage.CreateAsync(provider);
        await using var server = await RunningServer.StartAsync(storage);
        var (account, token) = await server.CreateAccountAsync("Cli numbers");

        var (exitCode, output, _) = await CliAsync(storage, "number", "add", "--number", "+351912000077", "--country", "PT", "--type", "mobile", "--account", account.AuthId);

        Assert.Equal(0, exitCode);
        Assert.Contains("351912000077", output);
        using var client = server.ApiClient(account.AuthId, token);
        var (status, number) = await client.GetJsonAsync($"/v1/Account/{account.AuthId}/Number/351912000077/");
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal("mobile", number.Str("number_type"));
        var (sent, _) = await client.PostJsonAsync($"/v1/Account/{account.AuthId}/Message/", new { src = "351912000077", dst = MessagingHarness.Destination(1), text = "hi" });
        Assert.Equal(HttpStatusCode.Accepted, sent);
        Assert.Equal(1, (await CliAsync(storage, "number", "add", "--number", "+351912000077", "--country", "PT", "--account", account.AuthId)).ExitCode);
    }

    [Fact]
    public async Task Invalid_numbers_countries_and_ambiguous_owners_are_refused()
    {
        using var storage = await TestStorage.CreateAsync(StorageProvider.Sqlite);
        await using var server = await RunningServer.StartAsync(storage);
        await server.CreateAccountAsync("Second main");

        var (exitCode, _, error) = await CliAsync(storage, "number", "add", "--number", "+351912000077", "--country", "ES");
        Assert.Equal(2, exitCode);
        Assert.Contains("not a valid number of ES", error);
        (exitCode, _, error) = await CliAsync(storage, "number", "add", "--number", "+351912000077", "--country", "PT");
        Assert.Equal(1, exitCode);
        Assert.Contains("--account", error);
        (exitCode, _, _) = await CliAsync(storage, "number", "add", "--number", "+351912000077", "--country", "PT", "--type", "satellite");
        Assert.NotEqual(0, exitCode);
    }

    static async Task<(int ExitCode, string Output, string Error)> CliAsync(TestStorage storage, params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        var exitCode = await ContactoCli.InvokeAsync([.. storage.Arguments, .. args], output, error);
        return (exitCode, output.ToString(), error.ToString());
    }
}
