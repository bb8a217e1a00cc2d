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
    public async Task An_owner_who_linked_their_identity_after_reauthenticating_signs_in_through_the_provider_then_with_TOTP_and_is_known_by_issuer_and_subject(StorageProvider storageProvider)
    {
        using var storage = await TestStorage.CreateAsync(storageProvider);
        await using var console = await ConsoleServer.StartWithProviderAsync(storage);
        var provider = console.Provider!;
        var (account, _) = await console.Server.CreateAccountAsync();
        var owner = await console.MemberAsync(account.AuthId, "owner@example.com");
        await ConfigureAsync(console, owner, required: false);
        provider.NextUser = new("idp-subject-1", "owner@example.com");
        Assert.Equal("/console/sso", (await LinkSelfAsync(console, owner.Browser)).Location);
        Assert.Equal(HttpStatusCode.OK, (await owner.Browser.GetAsync("/console/account")).Status); // linking kept the owner's session
        console.NextStep();

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
    [MemberData(nameof(TestStorage.Providers), MemberType = typeof(TestStorage))]
    public async Task A_verified_email_of_an_unlinked_owner_neither_links_nor_signs_in(StorageProvider storageProvider)
    {
        using var storage = await TestStorage.CreateAsync(storageProvider);
        await using var console = await ConsoleServer.StartWithProviderAsync(storage);
        var (account, _) = await console.Server.CreateAccountAsync();
        var owner = await console.MemberAsync(account.AuthId, "owner@example.com");
        await ConfigureAsync(console, owner, required: false);

        // Whoever controls the tenant's provider asserts the owner's address, verified, under a subject of their own.
        console.Provider!.NextUser = new("taker-subject", "owner@example.com");
        using var taker = console.Browser();
        Assert.Equal(HttpStatusCode.Unauthorized, (await SsoAsync(console, taker, account.AuthId)).Status);
        Assert.Null(taker.Session);

        await using var db = console.Server.Services.GetRequiredService<ContactoDbContextFactory>().CreateForAccount(account.Id);
        var user = await db.Set<ConsoleUser>().SingleAsync();
        Assert.Equal((null, null), (user.SsoIssuer, user.SsoSubject));
        Assert.DoesNotContain(AuditActions.ConsoleSsoLinked, await db.Set<AuditRecord>().Select(r => r.Action).ToListAsync());
    }

    [Fact]
    public async Task Linking_oneself_needs_a_fresh_reauthentication_and_the_same_users_session()
    {
        using var storage = await TestStorage.CreateAsync(StorageProvider.Sqlite);
        await using var console = await ConsoleServer.StartWithProviderAsync(storage);
        var (account, _) = await console.Server.CreateAccountAsync();
        var owner = await console.MemberAsync(account.AuthId, "owner@example.com");
        await ConfigureAsync(console, owner, required: false);
        console.Provider!.NextUser = new("idp-subject-1", "owner@example.com");

        // Past the re-authentication window, the owner is sent to confirm it is them first.
        console.Time.Advance(TimeSpan.FromMinutes(20));
        Assert.StartsWith("/console/reauthenticate", (await owner.Browser.PostAsync("/console/sso/link")).Location);

        // A flow the owner started, finished after the owner's session ended, links nobody.
        console.NextStep();
        Assert.Equal(HttpStatusCode.Redirect, (await console.SignInAgainAsync(owner.Browser, owner)).Status);
        var start = await owner.Browser.PostAsync("/console/sso/link");
        Assert.StartsWith(console.Provider.Issuer + "/authorize?", start.Location);
        using var back = await console.Provider.Client.GetAsync(start.Location);
        await owner.Browser.PostAsync("/console/sign-out");
        Assert.Equal(HttpStatusCode.Unauthorized, (await owner.Browser.ReturnFromProviderAsync(back.Headers.Location!.PathAndQuery)).Status);

        await using var db = console.Server.Services.GetRequiredService<ContactoDbContextFactory>().CreateForAccount(account.Id);
        Assert.Null((await db.Set<ConsoleUser>().SingleAsync()).SsoSubject);
    }

    [Theory]
    [MemberData(nameof(TestStorage.Providers), MemberType = typeof(TestStorage))]
    public async Task An_invitation_links_the_identity_the_provider_returns_to_the_invited_user_once(StorageProvider storageProvider)
    {
        using var storage = await TestStorage.CreateAsync(storageProvider);
        await using var console = await ConsoleServer.StartWithProviderAsync(storage);
        var (account, _) = await OwnerWithSsoAsync(console, required: false);
        var link = await console.InviteAsync(account.AuthId, "developer@example.com", ConsoleRole.Developer);

        using var invited = console.Browser();
        var page = await invited.OpenInvitationAsync(link);
        Assert.Contains("action=\"/console/invitations/sso\"", page.Html);
        Assert.Contains("type=\"password\"", page.Html); // SSO is offered, not required
        // Two flows from the same invitation, the second finished after the first.
        using var twice = console.Browser();
        await twice.OpenInvitationAsync(link);
        var secondStart = await twice.PostAsync("/console/invitations/sso", ("token", ConsoleBrowser.InvitationToken(link)));

        // The provider's address for the user does not matter: the invitation says who joins.
        console.Provider!.NextUser = new("idp-developer", "someone@elsewhere.example", EmailVerified: false);
        Assert.Equal("/console/enrol", (await JoinWithSsoAsync(console, invited, link)).Location);

        console.Provider.NextUser = new("idp-second", "developer@example.com");
        using var back = await console.Provider.Client.GetAsync(secondStart.Location);
        Assert.Equal(HttpStatusCode.Unauthorized, (await twice.ReturnFromProviderAsync(back.Headers.Location!.PathAndQuery)).Status);
        Assert.Null(twice.Session);
        Assert.Equal(HttpStatusCode.NotFound, (await twice.PostAsync("/console/invitations/sso", ("token", ConsoleBrowser.InvitationToken(link)))).Status);

        await using var db = console.Server.Services.GetRequiredService<ContactoDbContextFactory>().CreateForAccount(account.Id);
        var developer = await db.Set<ConsoleUser>().SingleAsync(u => u.Role == ConsoleRole.Developer);
        Assert.Equal((console.Provider.Issuer, "idp-developer", ""), (developer.SsoIssuer, developer.SsoSubject, developer.PasswordHash));
        Assert.False(await db.Set<ConsoleUser>().AnyAsync(u => u.SsoSubject == "idp-second"));
        var linked = await db.Set<AuditRecord>().Where(r => r.Action == AuditActions.ConsoleSsoLinked).Select(r => r.ResourceId).ToListAsync();
        Assert.Contains(developer.Id.ToString(), linked);
    }

    [Fact]
    public async Task An_invitation_of_one_account_links_no_user_of_another()
    {
        using var storage = await TestStorage.CreateAsync(StorageProvider.Sqlite);
        await using var console = await ConsoleServer.StartWithProviderAsync(storage);
        var (accountA, _) = await OwnerWithSsoAsync(console, required: false);
        var (accountB, _) = await console.Server.CreateAccountAsync();
        var ownerB = await console.MemberAsync(accountB.AuthId, "owner-b@example.com");
        await ConfigureAsync(console, ownerB, required: false);

        // An admin of A, who runs A's provider, invites B's owner's address and asserts it, verified.
        var link = await console.InviteAsync(accountA.AuthId, "owner-b@example.com", ConsoleRole.Admin);
        console.Provider!.NextUser = new("idp-taker", "owner-b@example.com");
        using var taker = console.Browser();
        await taker.OpenInvitationAsync(link);
        Assert.Equal(HttpStatusCode.Unauthorized, (await JoinWithSsoAsync(console, taker, link)).Status);
        Assert.Null(taker.Session);
        // Nor does the identity then reach B's owner through B's own sign-in.
        Assert.Equal(HttpStatusCode.Unauthorized, (await SsoAsync(console, taker, accountB.AuthId)).Status);

        await using var db = console.Server.Services.GetRequiredService<ContactoDbContextFactory>().CreateDbContext();
        Assert.False(await db.Set<ConsoleUser>().AnyAsync(u => u.SsoSubject == "idp-taker"));
        Assert.Null((await db.Set<ConsoleUser>().SingleAsync(u => u.AccountId == accountB.Id)).SsoSubject);
        Assert.Equal(1, await db.Set<ConsoleUser>().CountAsync(u => u.AccountId == accountA.Id));
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
        Assert.Equal(HttpStatusCode.Unauthorized, (await browser.ReturnFromProviderAsync(forged)).Status);

        // An attacker's own callback, replayed into a browser that started no sign-in.
        using var victim = console.Browser();
        Assert.Equal(HttpStatusCode.Unauthorized, (await victim.ReturnFromProviderAsync(callback.PathAndQuery)).Status);
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
        Assert.Equal(HttpStatusCode.BadRequest, (await browser.JoinAsync(link, ("password", ConsoleServer.Password), ("confirm", ConsoleServer.Password))).Status);

        console.Provider!.NextUser = new("idp-newcomer", "newcomer@example.com");
        var accepted = await JoinWithSsoAsync(console, browser, link);
        Assert.Equal("/console/enrol", accepted.Location);
        Assert.Equal(HttpStatusCode.NotFound, (await console.Browser().OpenInvitationAsync(link)).Status);
        var secret = ConsoleServer.SecretOf((await browser.GetAsync("/console/enrol")).Html);
        Assert.Equal("/console/recovery-codes", (await browser.PostAsync("/console/enrol", ("code", console.Code(secret)))).Location);
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
        // Set before the first discovery: the platform caches the provider's document.
        console.Provider!.TokenEndpoint = plain.BaseUrl + "/token";
        var (account, _) = await console.Server.CreateAccountAsync();
        await ConfigureAsync(console, await console.MemberAsync(account.AuthId, "owner@example.com"), required: false);

        using var browser = console.Browser();
        Assert.Equal(HttpStatusCode.Unauthorized, (await SsoAsync(console, browser, account.AuthId)).Status);
        Assert.True(plain.IsEmpty, "the authorization code and client secret went over plain http");
        Assert.Null(browser.Session);
    }

    [Fact]
    public async Task Only_a_page_whose_form_starts_the_accounts_flow_lets_forms_lead_to_its_provider()
    {
        using var storage = await TestStorage.CreateAsync(StorageProvider.Sqlite);
        await using var console = await ConsoleServer.StartWithProviderAsync(storage);
        var (account, _) = await OwnerWithSsoAsync(console, required: false);
        var (other, _) = await console.Server.CreateAccountAsync();
        using var browser = console.Browser();

        Assert.Contains("form-action 'self';", Policy(await browser.GetAsync("/console/sign-in")));
        var step = await browser.GetAsync($"/console/sso/start?auth_id={account.AuthId}&return_url=%2Fconsole%2Fmessages");
        Assert.Equal(HttpStatusCode.OK, step.Status);
        Assert.Contains($"form-action 'self' {console.Provider!.Issuer};", Policy(step));
        Assert.Contains("action=\"/console/sso/start\"", step.Html);
        var none = await browser.GetAsync($"/console/sso/start?auth_id={other.AuthId}");
        Assert.Equal(HttpStatusCode.NotFound, none.Status);
        Assert.Contains("form-action 'self';", Policy(none));
        Assert.Equal(HttpStatusCode.BadRequest, (await browser.GetAsync("/console/sso/start?auth_id=not-an-id")).Status);

        var start = await browser.PostAsync("/console/sso/start", ("auth_id", account.AuthId), ("return_url", "/console/messages"));
        Assert.StartsWith(console.Provider.Issuer + "/authorize?", start.Location);
    }

    [Fact]
    public async Task A_provider_whose_sign_in_page_is_not_plain_https_is_never_sent_to()
    {
        using var storage = await TestStorage.CreateAsync(StorageProvider.Sqlite);
        await using var console = await ConsoleServer.StartWithProviderAsync(storage);
        // Set before the first discovery: the platform caches the provider's document.
        console.Provider!.AuthorizationEndpoint = console.Provider.Issuer.Replace("https:", "http:") + "/authorize";
        var (account, _) = await console.Server.CreateAccountAsync();
        await ConfigureAsync(console, await console.MemberAsync(account.AuthId, "owner@example.com"), required: false);

        using var browser = console.Browser();
        var step = await browser.GetAsync($"/console/sso/start?auth_id={account.AuthId}");
        Assert.Equal(HttpStatusCode.BadGateway, step.Status);
        Assert.Contains("form-action 'self';", Policy(step));
        var start = await browser.PostAsync("/console/sso/start", ("auth_id", account.AuthId));
        Assert.Equal(HttpStatusCode.BadGateway, start.Status);
        Assert.Null(start.Location);
    }

    static string Policy(ConsoleBrowser.Answer answer) => answer.Response.Headers.GetValues("Content-Security-Policy").Single();

    /// <summary>An account whose owner has joined, connected the provider and linked their identity; the provider signs in the owner next.</summary>
    static async Task<(Contacto.Accounts.Account Account, ConsoleServer.Member Owner)> OwnerWithSsoAsync(ConsoleServer console, bool required)
    {
        var (account, _) = await console.Server.CreateAccountAsync();
        var owner = await console.MemberAsync(account.AuthId, $"owner-{account.AuthId.ToLowerInvariant()}@example.com");
        await ConfigureAsync(console, owner, required);
        console.Provider!.NextUser = new($"idp-{account.AuthId}", owner.Email);
        Assert.Equal("/console/sso", (await LinkSelfAsync(console, owner.Browser)).Location);
        console.NextStep();
        return (account, owner);
    }

    /// <summary>The signed-in (and recently re-authenticated) user of <paramref name="browser"/> links the identity the provider returns next.</summary>
    static async Task<ConsoleBrowser.Answer> LinkSelfAsync(ConsoleServer console, ConsoleBrowser browser) =>
        await ThroughProviderAsync(console, browser, await browser.PostAsync("/console/sso/link"));

    /// <summary>Joins through the provider with the invitation <paramref name="link"/> names (its page opened already); Contacto's answer to the callback.</summary>
    static async Task<ConsoleBrowser.Answer> JoinWithSsoAsync(ConsoleServer console, ConsoleBrowser browser, string link) =>
        await ThroughProviderAsync(console, browser, await browser.PostAsync("/console/invitations/sso", ("token", ConsoleBrowser.InvitationToken(link))));

    /// <summary>Follows a flow's <paramref name="start"/> to the provider, which signs its next user in, and returns Contacto's answer to the callback.</summary>
    static async Task<ConsoleBrowser.Answer> ThroughProviderAsync(ConsoleServer console, ConsoleBrowser browser, ConsoleBrowser.Answer start)
    {
        Assert.Equal(HttpStatusCode.Redirect, start.Status);
        Assert.StartsWith(console.Provider!.Issuer + "/authorize?", start.Location);
        Assert.Contains("code_challenge_method=S256", start.Location);
        using var back = await console.Provider.Client.GetAsync(start.Location);
        Assert.Equal(HttpStatusCode.Redirect, back.StatusCode);
        return await browser.ReturnFromProviderAsync(back.Headers.Location!.PathAndQuery);
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
        return await ThroughProviderAsync(console, browser, await browser.PostAsync("/console/sso/start", ("auth_id", authId)));
    }
}
