using System.Net;
using Contacto.Console;
using Contacto.Storage;
using Contacto.Testing;
using Microsoft.AspNetCore.DataProtection.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Contacto.Tests.Console;

public sealed class ConsoleClusterTests
{
    [Fact]
    public async Task Two_nodes_on_one_database_accept_each_others_sessions_and_form_tokens_and_store_the_key_ring_sealed()
    {
        using var storage = await TestStorage.CreateAsync(StorageProvider.PostgreSql);
        using var elsewhere = new TempDirectory();
        await using var nodeA = await ConsoleServer.StartAsync(storage);
        // Node B shares only the database and the key-encryption key, not the data directory.
        await using var nodeB = await ConsoleServer.StartAsync(storage,
            "--data-dir", elsewhere.Combine("data"), "--Crypto:Local:KeysDirectory", Path.Combine(storage.DataDir, "keys"));
        var (account, _) = await nodeA.Server.CreateAccountAsync("Acme");
        var member = await nodeA.MemberAsync(account.AuthId, "cluster@example.com");
        using var onB = new ConsoleBrowser(nodeB.Server, member.Browser.Cookies);

        var overview = await onB.GetAsync("/console/account");
        Assert.Equal(HttpStatusCode.OK, overview.Status);
        Assert.Contains(account.AuthId, overview.Html);

        // A form read on node A, posted to node B (the antiforgery cookie came from A too).
        await member.Browser.GetAsync("/console/users");
        var invited = await onB.PostWithTokenAsync("/console/users/invite", member.Browser.Csrf, ("email", "from-a@example.com"), ("role", "developer"));
        Assert.Equal(HttpStatusCode.OK, invited.Status);
        Assert.Contains("id=\"invitation-link\"", invited.Html);
        // And the other way round.
        await onB.GetAsync("/console/users");
        var back = await member.Browser.PostWithTokenAsync("/console/users/invite", onB.Csrf, ("email", "from-b@example.com"), ("role", "developer"));
        Assert.Equal(HttpStatusCode.OK, back.Status);
        Assert.Equal(HttpStatusCode.BadRequest, (await onB.PostWithTokenAsync("/console/users/invite", null, ("email", "x@example.com"), ("role", "developer"))).Status);

        await using var db = nodeA.Server.Services.GetRequiredService<ContactoDbContextFactory>().CreateDbContext();
        var keys = await db.Set<DataProtectionKey>().Select(k => k.Xml!).ToListAsync();
        Assert.NotEmpty(keys);
        Assert.All(keys, xml =>
        {
            Assert.DoesNotContain("<masterKey", xml);
            Assert.DoesNotContain("<value>", xml);
            Assert.Contains("<sealedKey", xml);
        });
        Assert.False(Directory.Exists(Path.Combine(storage.DataDir, "console-keys")));
        Assert.False(Directory.Exists(elsewhere.Combine("data", "console-keys")));
    }
}
