using System.Globalization;
using System.Text.RegularExpressions;
using Contacto.Console;
using Contacto.Storage;
using Contacto.Testing;
using Contacto.Tests.Status;

namespace Contacto.Tests.Console;

/// <summary>Notices by e-mail through the platform's SMTP relay (the one paging uses), to a loopback SMTP server.</summary>
public sealed partial class ConsoleNoticeTests
{
    [Fact]
    public async Task Users_hear_of_changes_to_their_factors_and_owners_of_users_joining_or_disabled_and_of_SSO_changes()
    {
        using var storage = await TestStorage.CreateAsync(StorageProvider.Sqlite);
        await using var smtp = new FakeSmtpServer();
        await using var console = await ConsoleServer.StartWithProviderAsync(storage, "--Smtp:Host", "127.0.0.1", "--Smtp:Port",
            smtp.Port.ToString(CultureInfo.InvariantCulture), "--Smtp:Security", "None", "--Smtp:From", "console@example.test");
        var (account, _) = await console.Server.CreateAccountAsync();

        var owner = await console.MemberAsync(account.AuthId, "owner@example.com");
        AssertMail(await smtp.NextAsync(), "owner@example.com", "A user joined your account: owner@example.com, as owner");
        AssertMail(await smtp.NextAsync(), "owner@example.com", "An authenticator app was set up");
        var developer = await console.MemberAsync(account.AuthId, "developer@example.com", ConsoleRole.Developer);
        AssertMail(await smtp.NextAsync(), "owner@example.com", "A user joined your account: developer@example.com, as developer");
        AssertMail(await smtp.NextAsync(), "developer@example.com", "An authenticator app was set up");

        await developer.Browser.GetAsync("/console/security");
        await developer.Browser.PostAsync("/console/security/recovery-codes");
        var codes = ConsoleServer.RecoveryCodesOf((await developer.Browser.GetAsync("/console/recovery-codes")).Html);
        var recovery = AssertMail(await smtp.NextAsync(), "developer@example.com", "New recovery codes were made");
        Assert.All(codes, code => Assert.DoesNotContain(code, recovery));

        var developerId = UserIdPattern().Match((await developer.Browser.GetAsync("/console/account")).Html).Groups[1].Value;
        await owner.Browser.GetAsync("/console/users");
        await owner.Browser.PostAsync($"/console/users/{developerId}/disable");
        AssertMail(await smtp.NextAsync(), "owner@example.com", $"The user {developerId} of your account was disabled by owner@example.com");

        await owner.Browser.GetAsync("/console/sso");
        await owner.Browser.PostAsync("/console/sso",
            ("issuer", console.Provider!.Issuer), ("client_id", TestOidcProvider.ClientId), ("client_secret", TestOidcProvider.ClientSecret));
        var sso = AssertMail(await smtp.NextAsync(), "owner@example.com", "The single sign-on settings of your account were changed by owner@example.com");
        Assert.DoesNotContain(TestOidcProvider.ClientSecret, sso);
    }

    /// <summary>The mail, its soft line breaks and folded headers undone, is to <paramref name="to"/> alone and tells <paramref name="change"/>.</summary>
    static string AssertMail(string raw, string to, string change)
    {
        var mail = raw.Replace("=\r\n", "").Replace("=\n", "").Replace("\r\n ", " ").Replace("\n ", " ");
        Assert.Contains($"To: {to}", mail);
        Assert.Contains($"Subject: Contacto: {change}", mail);
        return mail;
    }

    [GeneratedRegex("<code id=\"user-id\">([0-9a-f-]{36})</code>")]
    private static partial Regex UserIdPattern();
}
