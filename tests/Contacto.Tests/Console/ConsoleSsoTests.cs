using System.Net;
using Contacto.Audit;
using Contacto.Console;
using Contacto.Storage;
using Contacto.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Contacto.Tests.Console;

/// <summary>SSO against a real OpenID Connect provider on loopback, then Contacto's own second factor.</summary>
public sealed class ConsoleSsoTests
{
    [Theory]
    [MemberData(nameof(TestStorage.Providers), MemberType = typeof(TestStorage))]
    public async Task An_invited_user_signs_in_through_the_provider_then_with_TOTP_and_is_known_by_issuer_and_subject(StorageProvider storageProvider)
    {
        using var storage = await TestStorage.CreateAsync(storageProvider);
        await using var console = await ConsoleServer.StartWithProviderAsync(storage);
        var provider = console.Provider!;
        var (account, _) = await console.Server.CreateAccountAsync();
        var owner = await console.MemberAsync(account.AuthId, "owner@example.com");
        await ConfigureAsync(console, owner, required: false);
        console.NextStep();

        provider.NextUser = new("idp-subject-1", "owner@example.com");
        using var browser = console.Browser();
        var accepted = await SsoAsync(console, browser, account.AuthId);
        Assert.Equal("/console/second-factor?return_url=%2Fconsole%2Faccount", accepted.Location);
        await browser.GetAsync(accepted.Location!);
        Assert.Equal(ConsoleText.Home, (await browser.PostAsync("/console/second-factor", ("code", console.Code(owner.Secret)))).Location);
        Assert.Equal(HttpStatusCode.OK, (await browser.GetAsync("/console/account")).Status);

        // From now on the subject finds the user, whatever e-mail address the provider sends.
        console.NextStep();
        provider.NextUser = new("idp-subject-1", "renamed@example.com", EmailVerified: false);
        using var again = console.Browser();
        Assert.StartsWith("/console/second-factor", (await SsoAsync(console, again, account.AuthId)).Location);

        // Another subject claiming the linked address takes nothing over.
        provider.NextUser = new("idp-subject-2", "owner@example.com");
        using var impostor = console.Browser();
        Assert.Equal(HttpStatusCode.Unauthorized, (await SsoAsync(console, impostor, account.AuthId)).Status);
        Assert.Null(impostor.Session);

        await using var db = console.Server.Services.GetRequiredService<ContactoDbContextFactory>().CreateForAccount(account.Id);
        var user = await db.Set<ConsoleUser>().SingleAsync();
        Assert.Equal((provider.Issuer, "idp-subject-1"), (user.SsoIssuer, user.SsoSubject));
        var settings = await db.Set<ConsoleSsoSettings>().SingleAsync();
        Assert.True(settings.ClientSecretSealed.AsSpan().IndexOf(System.Text.Encoding.UTF8.GetBytes(TestOidcProvider.ClientSecret)) < 0, "the client secret is stored in clear");
        var actions = await db.Set<AuditRecord>().Select(r => r.Action).ToListAsync();
        Assert.Contains(AuditActions.ConsoleSsoUpdated, actions);
        Assert.Contains(AuditActions.ConsoleSsoLinked, actions);
        Assert.Contains(AuditActions.ConsoleSsoAccepted, actions);
        Assert.Contains(AuditActions.ConsoleSsoFailed, actions);
    }

    [Theory]
    [InlineData(IdTokenFault.WrongAudience)]
    [InlineData(IdTokenFault.WrongNonce)]
    [InlineData(IdTokenFault.Expired)]
    [InlineData(IdTokenFault.WrongIssuer)]
    [InlineData(IdTokenFault.ForeignKey)]
    public async Task A_spoilt_ID_token_signs_nobody_in(IdTokenFault fault)
    {
        using var storage = await TestStorage.CreateAsync(StorageProvider.Sqlite);
        await using var console = await ConsoleServer.StartWithProviderAsync(storage);
        var (account, _) = await OwnerWithSsoAsync(console, required: false);
        console.Provider!.Fault = fault;

        using var browser = console.Browser();
        var answer = await SsoAsync(console, browser, account.AuthId);
        Assert.Equal(HttpStatusCode.Unauthorized, answer.Status);
        Assert.Null(browser.Session);

        console.Provider.Fault = IdTokenFault.None;
        Assert.StartsWith("/console/second-factor", (await SsoAsync(console, browser, account.AuthId)).Location);
    }

    [Fact]
    public async Task A_callback_with_another_state_or_without_the_flows_cookie_is_refused()
    {
        using var storage = await TestStorage.CreateAsync(StorageProvider.Sqlite);
        await using var console = await ConsoleServer.StartWithProviderAsync(storage);
        var (account, _) = await OwnerWithSsoAsync(console, required: false);

        using var browser = console.Browser();
        await browser.GetAsync("/console/sign-in");
        var start = await browser.PostAsync("/console/sso/start", ("auth_id", account.AuthId));
        using var back = await console.Provider!.Client.GetAsync(start.Location);
        var callback = back.Headers.Location!;
        var forged = callback.PathAndQuery[..callback.PathAndQuery.IndexOf("&state=", StringComparison.Ordinal)] + "&state=forged";
        Assert.Equal(HttpStatusCode.Unauthorized, (await browser.GetAsync(forged)).Status);

        // An attacker's own callback, replayed into a browser that started no sign-in.
        using var victim = console.Browser();
        Assert.Equal(HttpStatusCode.Unauthorized, (await victim.GetAsync(callback.PathAndQuery)).Status);
        Assert.Null(victim.Session);
    }

    [Fact]
    public async Task An_account_that_requires_SSO_refuses_passwords()
    {
        using var storage = await TestStorage.CreateAsync(StorageProvider.Sqlite);
        await using var console = await ConsoleServer.StartWithProviderAsync(storage);
        var (account, owner) = await OwnerWithSsoAsync(console, required: true);
        Assert.Contains("<dd id=\"sso-required\">yes</dd>", (await owner.Browser.GetAsync("/console/sso")).Html);

        using var browser = console.Browser();
        Assert.Equal(HttpStatusCode.Forbidden, (await browser.SignInAsync(owner.Email, ConsoleServer.Password)).Status);
        Assert.Null(browser.Session);
        Assert.StartsWith("/console/second-factor", (await SsoAsync(console, browser, account.AuthId)).Location);
    }

    [Fact]
    public async Task An_invitation_to_an_account_that_requires_SSO_asks_for_no_password_and_leads_through_the_provider_to_enrolment()
    {
        using var storage = await TestStorage.CreateAsync(StorageProvider.Sqlite);
        await using var console = await ConsoleServer.StartWithProviderAsync(storage);
        var (account, _) = await OwnerWithSsoAsync(console, required: true);
        var link = await console.InviteAsync(account.AuthId, "newcomer@example.com", ConsoleRole.Developer);

        using var browser = console.Browser();
        var page = await browser.OpenInvitationAsync(link);
        Assert.Equal(HttpStatusCode.OK, page.Status);
        Assert.DoesNotContain("type=\"password\"", page.Html);
        var joined = await browser.JoinAsync(link);
        Assert.Equal(HttpStatusCode.Redirect, joined.Status);
        Assert.Equal("/console/sign-in", joined.Location);
        Assert.Equal(HttpStatusCode.NotFound, (await browser.OpenInvitationAsync(link)).Status);

        console.Provider!.NextUser = new("idp-newcomer", "newcomer@example.com");
        var accepted = await SsoAsync(console, browser, account.AuthId);
        Assert.Equal("/console/enrol", accepted.Location);
        var secret = ConsoleServer.SecretOf((await browser.GetAsync("/console/enrol")).Html);
        Assert.Equal(HttpStatusCode.OK, (await browser.PostAsync("/console/enrol", ("code", console.Code(secret)))).Status);
        Assert.Equal(HttpStatusCode.OK, (await browser.GetAsync("/console/account")).Status);
        // Re-authenticating is signing in again through the provider: there is no password to ask for.
        Assert.DoesNotContain("type=\"password\"", (await browser.GetAsync("/console/reauthenticate")).Html);

        await using var db = console.Server.Services.GetRequiredService<ContactoDbContextFactory>().CreateForAccount(account.Id);
        var index = await ConsoleEmails.IndexAsync(console.Server.Services.GetRequiredService<Contacto.Crypto.ITenantCrypto>(), "newcomer@example.com", CancellationToken.None);
        var user = await db.Set<ConsoleUser>().SingleAsync(u => u.EmailIndex == index);
        Assert.Equal("", user.PasswordHash);
        Assert.Equal("idp-newcomer", user.SsoSubject);
        Assert.True(user.TotpConfirmed);
    }

    [Theory]
    [MemberData(nameof(TestStorage.Providers), MemberType = typeof(TestStorage))]
    public async Task A_provider_on_an_address_the_outbound_policy_refuses_is_neither_saved_nor_contacted(StorageProvider storageProvider)
    {
        using var storage = await TestStorage.CreateAsync(storageProvider);
        // Loopback refused as in production: the provider stands for an internal service.
        await using var console = await ConsoleServer.StartWithProviderAsync(storage, "--Webhooks:AllowedNetworks:0", "192.0.2.0/24");
        var (account, _) = await console.Server.CreateAccountAsync();
        var owner = await console.MemberAsync(account.AuthId, "owner@example.com");

        var saved = await owner.Browser.PostAsync("/console/sso",
            ("issuer", console.Provider!.Issuer), ("client_id", TestOidcProvider.ClientId), ("client_secret", TestOidcProvider.ClientSecret));
        Assert.Equal(HttpStatusCode.BadRequest, saved.Status);
        Assert.Contains("private, loopback", saved.Html);
        Assert.Null(await console.Server.Services.GetRequiredService<ConsoleSso>().FindAsync(account.Id, CancellationToken.None));

        // Settings that name it anyway (saved while the address was public, say) reach nothing at sign-in.
        await console.Server.Services.GetRequiredService<ConsoleSso>().SaveAsync(account.Id, console.Provider.Issuer, TestOidcProvider.ClientId,
            TestOidcProvider.ClientSecret, required: false, AuditActor.Operator, CancellationToken.None);
        using var browser = console.Browser();
        await browser.GetAsync("/console/sign-in");
        Assert.Equal(HttpStatusCode.BadGateway, (await browser.PostAsync("/console/sso/start", ("auth_id", account.AuthId))).Status);
    }

    [Fact]
    public async Task The_code_and_client_secret_never_go_to_a_token_endpoint_without_TLS()
    {
        using var storage = await TestStorage.CreateAsync(StorageProvider.Sqlite);
        await using var console = await ConsoleServer.StartWithProviderAsync(storage);
        await using var plain = await Status.FakeHttpReceiver.StartAsync();
        var (account, _) = await OwnerWithSsoAsync(console, required: false);
        console.Provider!.TokenEndpoint = plain.BaseUrl + "/token";

        using var browser = console.Browser();
        Assert.Equal(HttpStatusCode.Unauthorized, (await SsoAsync(console, browser, account.AuthId)).Status);
        Assert.True(plain.IsEmpty, "the authorization code and client secret went over plain http");
        Assert.Null(browser.Session);
    }

    /// <summary>An account whose owner has joined and connected the provider; the provider signs in the owner next.</summary>
    static async Task<(Contacto.Accounts.Account Account, ConsoleServer.Member Owner)> OwnerWithSsoAsync(ConsoleServer console, bool required)
    {
        var (account, _) = await console.Server.CreateAccountAsync();
        var owner = await console.MemberAsync(account.AuthId, "owner@example.com");
        await ConfigureAsync(console, owner, required);
        console.Provider!.NextUser = new("idp-subject-1", "owner@example.com");
        return (account, owner);
    }

    static async Task<ConsoleBrowser.Answer> ConfigureAsync(ConsoleServer console, ConsoleServer.Member owner, bool required)
    {
        var page = await owner.Browser.GetAsync("/console/sso");
        Assert.Contains(console.Provider!.RedirectUri, page.Html);
        (string, string)[] fields = [("issuer", console.Provider.Issuer), ("client_id", TestOidcProvider.ClientId), ("client_secret", TestOidcProvider.ClientSecret)];
        var saved = await owner.Browser.PostAsync("/console/sso", required ? [.. fields, ("required", "true")] : fields);
        Assert.Equal(HttpStatusCode.OK, saved.Status);
        Assert.DoesNotContain(TestOidcProvider.ClientSecret, saved.Html);
        return saved;
    }

    /// <summary>Starts SSO in the browser, lets the provider sign the user in, and returns Contacto's answer to the callback.</summary>
    static async Task<ConsoleBrowser.Answer> SsoAsync(ConsoleServer console, ConsoleBrowser browser, string authId)
    {
        await browser.GetAsync("/console/sign-in");
        var start = await browser.PostAsync("/console/sso/start", ("auth_id", authId));
        Assert.Equal(HttpStatusCode.Redirect, start.Status);
        Assert.StartsWith(console.Provider!.Issuer + "/authorize?", start.Location);
        Assert.Contains("code_challenge_method=S256", start.Location);
        using var back = await console.Provider.Client.GetAsync(start.Location);
        Assert.Equal(HttpStatusCode.Redirect, back.StatusCode);
        return await browser.GetAsync(back.Headers.Location!.PathAndQuery);
    }
}
