using System.Net;
using Contacto.Cli;
using Contacto.Storage;
using Contacto.Testing;

namespace Contacto.Cli.Tests;

public sealed class UserCliTests
{
    [Fact]
    public async Task User_invite_prints_a_link_that_makes_the_accounts_first_owner()
    {
        using var storage = await TestStorage.CreateAsync(StorageProvider.Sqlite);
        string authId;
        await using (var first = await RunningServer.StartAsync(storage))
            authId = first.FirstAccount!.Account.AuthId;
        var output = new StringWriter();
        var error = new StringWriter();

        Assert.Equal(0, await ContactoCli.InvokeAsync([.. storage.Arguments, "user", "invite",
            "--account", authId, "--email", "owner@example.com"], output, error));
        var link = output.ToString().Split('\n').Single(l => l.StartsWith("https://localhost:5001/console/invitations#", StringComparison.Ordinal)).Trim();
        Assert.Contains("owner@example.com (owner)", output.ToString());

        Assert.Equal(1, await ContactoCli.InvokeAsync([.. storage.Arguments, "user", "invite", "--account", "MA000000000000000000", "--email", "x@example.com"],
            TextWriter.Null, error));
        Assert.Contains("No live account", error.ToString());
        Assert.Equal(2, await ContactoCli.InvokeAsync([.. storage.Arguments, "user", "invite", "--account", authId, "--email", "y@example.com", "--role", "root"],
            TextWriter.Null, error));

        await using var console = await ConsoleServer.StartAsync(storage);
        using var browser = console.Browser();
        var join = await browser.OpenInvitationAsync(link);
        Assert.Equal(HttpStatusCode.OK, join.Status);
        Assert.Contains("owner@example.com", join.Html);
    }
}
