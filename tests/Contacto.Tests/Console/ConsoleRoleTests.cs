using System.Net;
using Contacto.Audit;
using Contacto.Console;
using Contacto.Storage;
using Contacto.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Contacto.Tests.Console;

/// <summary>No sideways escalation: nobody changes a user above their own role, and sign-in settings are the owners' alone.</summary>
public sealed class ConsoleRoleTests
{
    [Theory]
    [MemberData(nameof(TestStorage.Providers), MemberType = typeof(TestStorage))]
    public async Task An_admin_cannot_disable_an_owner_but_may_disable_users_up_to_their_own_role(StorageProvider provider)
    {
        using var storage = await TestStorage.CreateAsync(provider);
        await using var console = await ConsoleServer.StartAsync(storage);
        var (account, _) = await console.Server.CreateAccountAsync("Acme");
        var owner = await console.MemberAsync(account.AuthId, "owner@acme.example");
        console.NextStep();
        var admin = await console.MemberAsync(account.AuthId, "admin@acme.example", ConsoleRole.Admin);
        console.NextStep();
        var developer = await console.MemberAsync(account.AuthId, "dev@acme.example", ConsoleRole.Developer);

        await admin.Browser.GetAsync("/console/users");
        Assert.Equal(HttpStatusCode.Forbidden, (await admin.Browser.PostAsync($"/console/users/{await IdOfAsync(console, owner.Email)}/disable")).Status);
        Assert.Equal(HttpStatusCode.OK, (await owner.Browser.GetAsync("/console/account")).Status);
        Assert.DoesNotContain(AuditActions.ConsoleUserDisabled, await console.AuditActionsAsync(account.Id));

        await admin.Browser.GetAsync("/console/users");
        Assert.Equal(HttpStatusCode.Redirect, (await admin.Browser.PostAsync($"/console/users/{await IdOfAsync(console, developer.Email)}/disable")).Status);
        await owner.Browser.GetAsync("/console/users");
        Assert.Equal(HttpStatusCode.Redirect, (await owner.Browser.PostAsync($"/console/users/{await IdOfAsync(console, admin.Email)}/disable")).Status);
        Assert.StartsWith("/console/sign-in", (await admin.Browser.GetAsync("/console/account")).Location);
    }

    [Fact]
    public async Task SSO_settings_are_the_owners_alone_and_need_a_fresh_proof()
    {
        using var storage = await TestStorage.CreateAsync(StorageProvider.Sqlite);
        await using var console = await ConsoleServer.StartWithProviderAsync(storage);
        var (account, _) = await console.Server.CreateAccountAsync("Acme");
        var owner = await console.MemberAsync(account.AuthId, "owner@acme.example");
        console.NextStep();
        var admin = await console.MemberAsync(account.AuthId, "admin@acme.example", ConsoleRole.Admin);
        (string, string)[] settings = [("issuer", console.Provider!.Issuer), ("client_id", TestOidcProvider.ClientId),
            ("client_secret", TestOidcProvider.ClientSecret), ("required", "true")];
        var sso = console.Server.Services.GetRequiredService<ConsoleSso>();

        var adminPage = await admin.Browser.GetAsync("/console/sso");
        Assert.DoesNotContain("action=\"/console/sso\"", adminPage.Html);
        Assert.Equal(HttpStatusCode.Forbidden, (await admin.Browser.PostAsync("/console/sso", settings)).Status);
        Assert.Null(await sso.FindAsync(account.Id, CancellationToken.None));

        console.Time.Advance(TimeSpan.FromMinutes(6)); // past the re-authentication window
        await owner.Browser.GetAsync("/console/sso");
        var stale = await owner.Browser.PostAsync("/console/sso", settings);
        Assert.Equal(HttpStatusCode.Redirect, stale.Status);
        Assert.Equal("/console/reauthenticate?return_url=%2Fconsole%2Fsso", stale.Location);
        Assert.Null(await sso.FindAsync(account.Id, CancellationToken.None));

        await owner.Browser.GetAsync("/console/reauthenticate?return_url=/console/sso");
        console.NextStep();
        Assert.Equal(HttpStatusCode.Redirect, (await owner.Browser.PostAsync("/console/reauthenticate",
            ("password", ConsoleServer.Password), ("code", console.Code(owner.Secret)), ("return_url", "/console/sso"))).Status);
        await owner.Browser.GetAsync("/console/sso");
        Assert.Equal(HttpStatusCode.OK, (await owner.Browser.PostAsync("/console/sso", settings)).Status);
        Assert.True((await sso.FindAsync(account.Id, CancellationToken.None))?.Required);
    }

    [Theory]
    [MemberData(nameof(TestStorage.Providers), MemberType = typeof(TestStorage))]
    public async Task Disabling_a_main_account_closes_the_console_sessions_of_its_subaccounts(StorageProvider provider)
    {
        using var storage = await TestStorage.CreateAsync(provider);
        await using var console = await ConsoleServer.StartAsync(storage);
        var (main, _) = await console.Server.CreateAccountAsync("Acme");
        var accounts = console.Server.Services.GetRequiredService<Contacto.Accounts.AccountService>();
        var (sub, _) = await accounts.CreateAsync("Acme EU", main.Id, true, AuditActor.Operator, null, CancellationToken.None);
        var member = await console.MemberAsync(sub.AuthId, "eu@acme.example");
        Assert.Equal(HttpStatusCode.OK, (await member.Browser.GetAsync("/console/account")).Status);

        await accounts.UpdateAsync(main.Id, a => a.Enabled = false,
            new AuditEntry(main.Id, AuditActor.Operator, AuditActions.AccountDisabled, "account", main.AuthId), CancellationToken.None);

        Assert.StartsWith("/console/sign-in", (await member.Browser.GetAsync("/console/account")).Location);
        using var again = console.Browser();
        Assert.NotEqual(HttpStatusCode.Redirect, (await again.SignInAsync(member.Email, ConsoleServer.Password)).Status);
        Assert.Null(again.Session);
    }

    static async Task<Guid> IdOfAsync(ConsoleServer console, string email)
    {
        var index = await ConsoleEmails.IndexAsync(console.Server.Services.GetRequiredService<Contacto.Crypto.ITenantCrypto>(), email, CancellationToken.None);
        await using var db = console.Server.Services.GetRequiredService<ContactoDbContextFactory>().CreateDbContext();
        return await db.Set<ConsoleUser>().Where(u => u.EmailIndex == index).Select(u => u.Id).SingleAsync();
    }
}
