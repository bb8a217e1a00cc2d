using System.Net;
using System.Text.RegularExpressions;
using Contacto.Audit;
using Contacto.Console;
using Contacto.Storage;
using Contacto.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Contacto.Tests.Console;

/// <summary>Replacing the authenticator, new recovery codes and removing a passkey: each only with a fresh proof.</summary>
public sealed partial class ConsoleFactorChangeTests
{
    static readonly string[] Changes = ["/console/security/totp", "/console/security/recovery-codes", $"/console/security/passkeys/{Guid.CreateVersion7()}/remove"];

    [Fact]
    public async Task Without_a_fresh_proof_factor_changes_send_to_reauthentication_and_come_back_after_it()
    {
        using var storage = await TestStorage.CreateAsync(StorageProvider.Sqlite);
        await using var console = await ConsoleServer.StartAsync(storage);
        var (account, _) = await console.Server.CreateAccountAsync();
        var member = await console.MemberAsync(account.AuthId, "fresh@example.com");
        console.Time.Advance(TimeSpan.FromMinutes(6)); // past the 5-minute window, well within the idle time-out

        await member.Browser.GetAsync("/console/security");
        foreach (var path in Changes)
        {
            var refused = await member.Browser.PostAsync(path);
            Assert.Equal(HttpStatusCode.Redirect, refused.Status);
            Assert.Equal("/console/reauthenticate?return_url=%2Fconsole%2Fsecurity", refused.Location);
        }
        Assert.Equal(ConsoleUsers.RecoveryCodeCount, RecoveryCodes(await member.Browser.GetAsync("/console/security")));

        await member.Browser.GetAsync("/console/reauthenticate?return_url=/console/security");
        Assert.Equal(HttpStatusCode.Unauthorized, (await member.Browser.PostAsync("/console/reauthenticate",
            ("password", "not the password"), ("code", console.Code(member.Secret)), ("return_url", "/console/security"))).Status);
        console.NextStep();
        var proved = await member.Browser.PostAsync("/console/reauthenticate",
            ("password", ConsoleServer.Password), ("code", console.Code(member.Secret)), ("return_url", "/console/security"));
        Assert.Equal(HttpStatusCode.Redirect, proved.Status);
        Assert.Equal("/console/security", proved.Location);
        await member.Browser.GetAsync("/console/security");
        Assert.Equal("/console/recovery-codes", (await member.Browser.PostAsync("/console/security/recovery-codes")).Location);
    }

    [Fact]
    public async Task Factor_changes_without_this_browsers_form_token_are_refused()
    {
        using var storage = await TestStorage.CreateAsync(StorageProvider.Sqlite);
        await using var console = await ConsoleServer.StartAsync(storage);
        var (account, _) = await console.Server.CreateAccountAsync();
        var member = await console.MemberAsync(account.AuthId, "csrf@example.com");

        foreach (var path in Changes.Append("/console/security/totp/confirm").Append("/console/reauthenticate"))
            Assert.Equal(HttpStatusCode.BadRequest, (await member.Browser.PostWithTokenAsync(path, null)).Status);
        Assert.Equal(ConsoleUsers.RecoveryCodeCount, RecoveryCodes(await member.Browser.GetAsync("/console/security")));
        Assert.DoesNotContain(AuditActions.ConsoleRecoveryCodesRegenerated, await console.AuditActionsAsync(account.Id));
    }

    [Theory]
    [MemberData(nameof(TestStorage.Providers), MemberType = typeof(TestStorage))]
    public async Task New_recovery_codes_replace_the_old_ones_and_end_the_users_other_sessions(StorageProvider provider)
    {
        using var storage = await TestStorage.CreateAsync(provider);
        await using var console = await ConsoleServer.StartAsync(storage);
        var (account, _) = await console.Server.CreateAccountAsync();
        var member = await console.MemberAsync(account.AuthId, "codes@example.com");
        using var elsewhere = console.Browser();
        console.NextStep();
        Assert.Equal(ConsoleText.Home, (await console.SignInAgainAsync(elsewhere, member)).Location);

        await member.Browser.GetAsync("/console/security");
        Assert.Equal("/console/recovery-codes", (await member.Browser.PostAsync("/console/security/recovery-codes")).Location);
        var codes = ConsoleServer.RecoveryCodesOf((await member.Browser.GetAsync("/console/recovery-codes")).Html);
        Assert.Equal(ConsoleUsers.RecoveryCodeCount, codes.Distinct().Count());
        Assert.Empty(codes.Intersect(member.RecoveryCodes));

        Assert.Equal(HttpStatusCode.Redirect, (await elsewhere.GetAsync("/console/account")).Status); // signed out
        Assert.Equal(HttpStatusCode.OK, (await member.Browser.GetAsync("/console/account")).Status);
        using var old = console.Browser();
        Assert.Equal(HttpStatusCode.Unauthorized, (await console.SignInAgainAsync(old, member, member.RecoveryCodes[0])).Status);
        using var renewed = console.Browser();
        Assert.Equal(ConsoleText.Home, (await console.SignInAgainAsync(renewed, member, codes[0])).Location);
        Assert.Contains(AuditActions.ConsoleRecoveryCodesRegenerated, await console.AuditActionsAsync(account.Id));
    }

    [Theory]
    [MemberData(nameof(TestStorage.Providers), MemberType = typeof(TestStorage))]
    public async Task A_new_authenticator_replaces_the_old_only_after_a_valid_code_and_the_old_key_is_refused(StorageProvider provider)
    {
        using var storage = await TestStorage.CreateAsync(provider);
        await using var console = await ConsoleServer.StartAsync(storage);
        var (account, _) = await console.Server.CreateAccountAsync();
        var member = await console.MemberAsync(account.AuthId, "totp@example.com");

        await member.Browser.GetAsync("/console/security");
        var start = await member.Browser.PostAsync("/console/security/totp");
        Assert.Equal(HttpStatusCode.OK, start.Status);
        var secret = ConsoleServer.SecretOf(start.Html);
        Assert.NotEqual(member.Secret, secret);
        var pending = WebUtility.HtmlDecode(PendingPattern().Match(start.Html).Groups[1].Value);
        console.NextStep();
        Assert.Equal(HttpStatusCode.BadRequest, (await member.Browser.PostAsync("/console/security/totp/confirm", ("pending", pending), ("code", console.Code(member.Secret)))).Status);

        // Not replaced yet: the old key still signs in.
        using var before = console.Browser();
        Assert.Equal(ConsoleText.Home, (await console.SignInAgainAsync(before, member)).Location);
        // The pending key opens only in the session that asked for it.
        await before.GetAsync("/console/security");
        Assert.Equal(HttpStatusCode.BadRequest, (await before.PostAsync("/console/security/totp/confirm", ("pending", pending), ("code", console.Code(secret)))).Status);

        await member.Browser.GetAsync("/console/security");
        var replaced = await member.Browser.PostAsync("/console/security/totp/confirm", ("pending", pending), ("code", console.Code(secret)));
        Assert.Equal(HttpStatusCode.OK, replaced.Status);
        Assert.Contains("id=\"notice\"", replaced.Html);
        Assert.Equal(HttpStatusCode.Redirect, (await before.GetAsync("/console/account")).Status); // other session ended

        console.NextStep();
        using var withOld = console.Browser();
        Assert.Equal(HttpStatusCode.Unauthorized, (await console.SignInAgainAsync(withOld, member)).Status);
        using var withNew = console.Browser();
        Assert.Equal(ConsoleText.Home, (await console.SignInAgainAsync(withNew, member with { Secret = secret })).Location);
        Assert.Contains(AuditActions.ConsoleTotpReplaced, await console.AuditActionsAsync(account.Id));
    }

    [Fact]
    public async Task A_passkey_is_removed_with_a_fresh_proof_but_never_the_only_second_factor()
    {
        using var storage = await TestStorage.CreateAsync(StorageProvider.Sqlite);
        await using var console = await ConsoleServer.StartAsync(storage);
        var (account, _) = await console.Server.CreateAccountAsync();
        var (other, _) = await console.Server.CreateAccountAsync();
        var member = await console.MemberAsync(account.AuthId, "keys@example.com");
        var stranger = await console.MemberAsync(other.AuthId, "stranger@example.com");
        using var authenticator = new SoftwareAuthenticator($"https://localhost:{console.Server.PublicPort}");
        await member.Browser.GetAsync("/console/account");
        var creation = await member.Browser.PostJsonAsync("/console/passkeys/registration-options", "{}");
        Assert.Equal(HttpStatusCode.Created, (await member.Browser.PostJsonAsync("/console/passkeys", authenticator.Create(creation.Html))).Status);
        var ids = console.Server.Services.GetRequiredService<ContactoDbContextFactory>();
        Guid passkey;
        await using (var db = ids.CreateDbContext())
            passkey = await db.Set<ConsolePasskey>().Select(p => p.Id).SingleAsync();

        // Someone else's passkey id finds nothing.
        await stranger.Browser.GetAsync("/console/security");
        Assert.Equal(HttpStatusCode.NotFound, (await stranger.Browser.PostAsync($"/console/security/passkeys/{passkey}/remove")).Status);

        // Without an authenticator app, the passkey is the only second factor: it stays.
        var index = await ConsoleEmails.IndexAsync(console.Server.Services.GetRequiredService<Contacto.Crypto.ITenantCrypto>(), member.Email, CancellationToken.None);
        await using (var db = ids.CreateDbContext())
            await db.Set<ConsoleUser>().Where(u => u.EmailIndex == index).ExecuteUpdateAsync(s => s.SetProperty(u => u.TotpConfirmed, false));
        await member.Browser.GetAsync("/console/security");
        Assert.Equal(HttpStatusCode.Conflict, (await member.Browser.PostAsync($"/console/security/passkeys/{passkey}/remove")).Status);
        await using (var db = ids.CreateDbContext())
            await db.Set<ConsoleUser>().Where(u => u.EmailIndex == index).ExecuteUpdateAsync(s => s.SetProperty(u => u.TotpConfirmed, true));

        var removed = await member.Browser.PostAsync($"/console/security/passkeys/{passkey}/remove");
        Assert.Equal(HttpStatusCode.OK, removed.Status);
        await using (var db = ids.CreateDbContext())
            Assert.False(await db.Set<ConsolePasskey>().AnyAsync());
        Assert.Contains(AuditActions.ConsolePasskeyRemoved, await console.AuditActionsAsync(account.Id));
    }

    static int? RecoveryCodes(ConsoleBrowser.Answer page) =>
        UnusedPattern().Match(page.Html) is { Success: true } m ? int.Parse(m.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture) : null;


    [GeneratedRegex("<span id=\"recovery-unused\">(\\d+)</span>")]
    private static partial Regex UnusedPattern();

    [GeneratedRegex("name=\"pending\" value=\"([^\"]+)\"")]
    private static partial Regex PendingPattern();
}
