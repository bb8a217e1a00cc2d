using Contacto.Audit;
using Contacto.Console;
using Contacto.Storage;
using Contacto.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;

namespace Contacto.Tests.Console;

/// <summary>
/// Single sign-on as people use it: headless Chromium on a phone-sized screen, a real OpenID Connect
/// provider on loopback (another site: 127.0.0.1, where the console is localhost), the console's
/// strict CSP and SameSite=Strict session cookie unchanged.
/// </summary>
public sealed class ConsoleSsoBrowserTests
{
    [Fact]
    public async Task An_owner_links_their_identity_then_signs_in_through_the_provider_and_the_second_factor_to_the_account_page()
    {
        using var storage = await TestStorage.CreateAsync(StorageProvider.Sqlite);
        await using var smtp = new Status.FakeSmtpServer();
        await using var console = await ConsoleServer.StartWithProviderAsync(storage, "--Smtp:Host", "127.0.0.1", "--Smtp:Port",
            smtp.Port.ToString(System.Globalization.CultureInfo.InvariantCulture), "--Smtp:Security", "None", "--Smtp:From", "console@example.test");
        var provider = console.Provider!;
        var (account, _) = await console.Server.CreateAccountAsync("Acme");
        var owner = await console.MemberAsync(account.AuthId, "owner@example.com");
        await SetUpSsoAsync(console, account.Id, required: false);
        await using var browser = await HeadlessChromium.LaunchAsync(javaScript: false);
        var page = browser.Page;
        var errors = HeadlessChromium.ErrorsOf(page);
        var origin = Origin(console);

        // Signed in with the password, the owner links the identity at a provider that shows its own page.
        console.NextStep();
        await page.GotoAsync(origin + "/console/sign-in");
        await page.GetByLabel("E-mail").FillAsync(owner.Email);
        await page.GetByLabel("Password").FillAsync(ConsoleServer.Password);
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in", Exact = true }).ClickAsync();
        await page.GetByLabel("Code from your authenticator app, or a recovery code").FillAsync(console.Code(owner.Secret));
        await page.GetByRole(AriaRole.Button, new() { Name = "Continue" }).ClickAsync();
        Assert.Equal(origin + ConsoleText.Home, page.Url);
        await page.GotoAsync(origin + "/console/sso");
        provider.ShowsPage = true;
        provider.NextUser = new("idp-owner", owner.Email);
        await page.GetByRole(AriaRole.Button, new() { Name = "Link my identity" }).ClickAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Continue as idp-owner" }).ClickAsync(Within);
        await page.WaitForURLAsync(origin + "/console/sso", Until);
        Assert.Equal(0, await page.GetByRole(AriaRole.Button, new() { Name = "Link my identity" }).CountAsync());
        // Joined, enrolled, then linked: the owner hears of each.
        Assert.Contains("Subject: Contacto: A user joined your account", await smtp.NextAsync());
        Assert.Contains("Subject: Contacto: An authenticator app was set up", await smtp.NextAsync());
        Assert.Contains("Subject: Contacto: Your user was linked to the account's single sign-on provider", (await smtp.NextAsync()).Replace("\n ", " "));
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign out", Exact = true }).ClickAsync();

        // Then single sign-on, at a provider that sends the browser back at once.
        provider.ShowsPage = false;
        console.NextStep();
        await SignInWithSsoAsync(page, account.AuthId);
        await page.WaitForURLAsync(origin + "/console/second-factor?return_url=%2Fconsole%2Faccount", Until);
        await HeadlessChromium.AssertFitsAsync(page);
        await page.GetByLabel("Code from your authenticator app, or a recovery code").FillAsync(console.Code(owner.Secret));
        await page.GetByRole(AriaRole.Button, new() { Name = "Continue" }).ClickAsync();
        Assert.Equal(origin + ConsoleText.Home, page.Url);
        Assert.Equal(account.AuthId, await page.Locator("#auth-id").TextContentAsync());

        var session = (await browser.Context.CookiesAsync()).Single(c => c.Name == ConsoleSessions.CookieName);
        Assert.Equal(SameSiteAttribute.Strict, session.SameSite);
        Assert.True(errors.Count == 0, string.Join("\n", errors));
        await using var db = console.Server.Services.GetRequiredService<ContactoDbContextFactory>().CreateForAccount(account.Id);
        Assert.Equal("idp-owner", (await db.Set<ConsoleUser>().SingleAsync()).SsoSubject);
        Assert.Contains(AuditActions.ConsoleSsoAccepted, await db.Set<AuditRecord>().Select(r => r.Action).ToListAsync());
    }

    [Fact]
    public async Task A_user_invited_to_an_account_that_requires_SSO_joins_through_the_provider_and_reveals_the_Auth_Token_after_a_fresh_SSO_sign_in()
    {
        using var storage = await TestStorage.CreateAsync(StorageProvider.Sqlite);
        await using var console = await ConsoleServer.StartWithProviderAsync(storage);
        var provider = console.Provider!;
        var (account, authToken) = await console.Server.CreateAccountAsync("Acme");
        await console.MemberAsync(account.AuthId, "owner@example.com");
        await SetUpSsoAsync(console, account.Id, required: true);
        var link = await console.InviteAsync(account.AuthId, "newcomer@example.com", ConsoleRole.Developer);
        await using var browser = await HeadlessChromium.LaunchAsync(javaScript: true);
        var page = browser.Page;
        var errors = HeadlessChromium.ErrorsOf(page);
        var origin = Origin(console);

        provider.ShowsPage = true;
        provider.NextUser = new("idp-newcomer", "newcomer@example.com");
        await page.GotoAsync(link.Replace(new Uri(link).GetLeftPart(UriPartial.Authority), origin));
        await page.GetByRole(AriaRole.Button, new() { Name = "Join with single sign-on" }).ClickAsync(Within);
        await page.GetByRole(AriaRole.Button, new() { Name = "Continue as idp-newcomer" }).ClickAsync(Within);
        await page.WaitForURLAsync(origin + "/console/enrol", Until);
        var secret = await page.Locator("#totp-secret").TextContentAsync();
        await page.GetByLabel("Code", new() { Exact = true }).FillAsync(console.Code(secret!));
        await page.GetByRole(AriaRole.Button, new() { Name = "Confirm" }).ClickAsync();
        await page.GetByRole(AriaRole.Link, new() { Name = "Continue to the console" }).ClickAsync();

        // Just signed in through the provider and the second factor: that is the proof.
        Assert.Equal(0, await page.GetByLabel("Password").CountAsync());
        await page.GetByRole(AriaRole.Button, new() { Name = "Reveal" }).ClickAsync();
        Assert.Equal(authToken, await page.Locator("#auth-token").TextContentAsync());

        // Minutes later, revealing it again takes a fresh sign-in through the provider.
        provider.ShowsPage = false;
        console.Time.Advance(TimeSpan.FromMinutes(6));
        await page.GotoAsync(origin + ConsoleText.Home);
        Assert.Equal(0, await page.GetByRole(AriaRole.Button, new() { Name = "Reveal" }).CountAsync());
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in again with single sign-on" }).ClickAsync();
        await page.WaitForURLAsync(origin + "/console/second-factor?return_url=%2Fconsole%2Faccount", Until);
        await page.GetByLabel("Code from your authenticator app, or a recovery code").FillAsync(console.Code(secret!));
        await page.GetByRole(AriaRole.Button, new() { Name = "Continue" }).ClickAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Reveal" }).ClickAsync();
        Assert.Equal(authToken, await page.Locator("#auth-token").TextContentAsync());
        Assert.True(errors.Count == 0, string.Join("\n", errors));
    }

    static readonly LocatorClickOptions Within = new() { Timeout = (float)HeadlessChromium.Wait.TotalMilliseconds };
    static readonly PageWaitForURLOptions Until = new() { Timeout = (float)HeadlessChromium.Wait.TotalMilliseconds };

    static string Origin(ConsoleServer console) => $"https://localhost:{console.Server.PublicPort}";

    static Task SetUpSsoAsync(ConsoleServer console, Guid accountId, bool required) =>
        console.Server.Services.GetRequiredService<ConsoleSso>().SaveAsync(accountId, console.Provider!.Issuer, TestOidcProvider.ClientId,
            TestOidcProvider.ClientSecret, required, AuditActor.Operator, CancellationToken.None);

    static async Task SignInWithSsoAsync(IPage page, string authId)
    {
        await page.GotoAsync(page.Url[..page.Url.IndexOf("/console/", StringComparison.Ordinal)] + "/console/sign-in");
        await page.GetByLabel("Your account's Auth ID").FillAsync(authId);
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in with SSO" }).ClickAsync();
        await HeadlessChromium.AssertFitsAsync(page);
        await page.GetByRole(AriaRole.Button, new() { Name = "Continue to your provider" }).ClickAsync();
    }
}
