using System.Collections.Concurrent;
using Contacto.Console;
using Contacto.Storage;
using Contacto.Testing;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;

namespace Contacto.Tests.Console;

/// <summary>
/// The console's front door in a real headless Chromium, without JavaScript: join (pasting the
/// invitation code), enrol TOTP, sign out, sign in again; with JavaScript: an invitation link opens by
/// itself, and passkeys.
/// </summary>
public sealed class ConsoleBrowserTests
{
    [Fact]
    public async Task A_new_user_joins_enrols_TOTP_signs_out_and_signs_in_again_breaking_no_policy()
    {
        using var storage = await TestStorage.CreateAsync(StorageProvider.Sqlite);
        await using var console = await ConsoleServer.StartAsync(storage);
        var (account, _) = await console.Server.CreateAccountAsync("Acme");
        var link = new Uri(await console.InviteAsync(account.AuthId, "nina@example.com"));
        await using var browser = await HeadlessChromium.LaunchAsync(javaScript: false);
        var page = browser.Page;
        var errors = new List<string>();
        page.Console += (_, message) =>
        {
            if (message.Type == "error")
                errors.Add(message.Text);
        };
        var origin = $"https://localhost:{console.Server.PublicPort}";

        // Without script the page asks for the code after '#', which the browser did not send.
        await page.GotoAsync(link.AbsoluteUri.Replace("https://localhost:5001", origin));
        await page.GetByLabel("Invitation code").FillAsync(link.Fragment.TrimStart('#'));
        await page.GetByRole(AriaRole.Button, new() { Name = "Open the invitation" }).ClickAsync();
        Assert.Contains("nina@example.com", await page.Locator("main").TextContentAsync());
        await page.GetByLabel("Password", new() { Exact = true }).FillAsync(ConsoleServer.Password);
        await page.GetByLabel("Password again").FillAsync(ConsoleServer.Password);
        await page.GetByRole(AriaRole.Button, new() { Name = "Join" }).ClickAsync();

        await SignInWithPasswordAsync(page);
        Assert.EndsWith("/console/enrol", page.Url);
        var secret = await page.Locator("#totp-secret").TextContentAsync();
        await page.GetByLabel("Code").FillAsync(console.Code(secret!));
        await page.GetByRole(AriaRole.Button, new() { Name = "Confirm" }).ClickAsync();
        Assert.Equal(ConsoleUsers.RecoveryCodeCount, await page.Locator("#recovery-codes li").CountAsync());
        await page.GetByRole(AriaRole.Link, new() { Name = "Continue to the console" }).ClickAsync();
        Assert.Equal(account.AuthId, await page.Locator("#auth-id").TextContentAsync());

        await page.GetByRole(AriaRole.Button, new() { Name = "Sign out", Exact = true }).ClickAsync();
        Assert.EndsWith("/console/sign-in", page.Url);
        await page.GotoAsync(origin + "/console/account");
        Assert.Contains("/console/sign-in", page.Url);

        console.NextStep();
        await SignInWithPasswordAsync(page);
        Assert.Contains("/console/second-factor", page.Url);
        await page.GetByLabel("Code from your authenticator app, or a recovery code").FillAsync(console.Code(secret!));
        await page.GetByRole(AriaRole.Button, new() { Name = "Continue" }).ClickAsync();
        Assert.EndsWith("/console/account", page.Url);
        Assert.Equal(account.AuthId, await page.Locator("#auth-id").TextContentAsync());
        Assert.True(await page.GetByRole(AriaRole.Navigation, new() { Name = "Console" }).IsVisibleAsync());

        var session = (await browser.Context.CookiesAsync()).Single(c => c.Name == ConsoleSessions.CookieName);
        Assert.True(session.Secure && session.HttpOnly);
        Assert.Equal(SameSiteAttribute.Strict, session.SameSite);
        Assert.True(await page.EvaluateAsync<bool>("() => document.documentElement.scrollWidth <= window.innerWidth"), "the page scrolls sideways on a phone");
        Assert.True(errors.Count == 0, string.Join("\n", errors));
    }

    [Fact]
    public async Task A_passkey_added_in_the_browser_replaces_the_code_at_the_next_sign_in()
    {
        using var storage = await TestStorage.CreateAsync(StorageProvider.Sqlite);
        await using var console = await ConsoleServer.StartAsync(storage);
        var (account, _) = await console.Server.CreateAccountAsync("Acme");
        var member = await console.MemberAsync(account.AuthId, "nina@example.com");
        await using var browser = await HeadlessChromium.LaunchAsync(javaScript: true);
        var page = browser.Page;
        var cdp = await browser.Context.NewCDPSessionAsync(page);
        await cdp.SendAsync("WebAuthn.enable");
        await cdp.SendAsync("WebAuthn.addVirtualAuthenticator", new Dictionary<string, object>
        {
            ["options"] = new Dictionary<string, object>
            {
                ["protocol"] = "ctap2",
                ["transport"] = "internal",
                ["hasResidentKey"] = true,
                ["hasUserVerification"] = true,
                ["isUserVerified"] = true,
                ["automaticPresenceSimulation"] = true,
            },
        });
        var origin = $"https://localhost:{console.Server.PublicPort}";

        console.NextStep();
        await page.GotoAsync(origin + "/console/sign-in");
        await SignInWithPasswordAsync(page);
        await page.GetByLabel("Code from your authenticator app, or a recovery code").FillAsync(console.Code(member.Secret));
        await page.GetByRole(AriaRole.Button, new() { Name = "Continue" }).ClickAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Add a passkey" }).ClickAsync();
        await page.Locator("#passkey-status", new() { HasTextString = "Passkey added." }).WaitForAsync(new() { Timeout = (float)HeadlessChromium.Wait.TotalMilliseconds });

        await page.GetByRole(AriaRole.Button, new() { Name = "Sign out", Exact = true }).ClickAsync();
        await SignInWithPasswordAsync(page);
        await page.GetByRole(AriaRole.Button, new() { Name = "Use a passkey instead" }).ClickAsync();
        await page.WaitForURLAsync(origin + "/console/account", new() { Timeout = (float)HeadlessChromium.Wait.TotalMilliseconds });
        Assert.Equal(account.AuthId, await page.Locator("#auth-id").TextContentAsync());
    }

    [Fact]
    public async Task An_invitation_link_opens_with_script_and_its_token_never_reaches_the_server_in_an_address()
    {
        using var storage = await TestStorage.CreateAsync(StorageProvider.Sqlite);
        var targets = new ConcurrentQueue<string>();
        await using var server = await RunningServer.StartAsync(storage, ["--Console:PasswordHashMemoryKib", "1024"],
            configure: b => b.Services.AddSingleton<IStartupFilter>(new RequestTargets(targets)));
        var (account, _) = await server.CreateAccountAsync("Acme");
        var link = new Uri((await server.Services.GetRequiredService<ConsoleUsers>()
            .InviteAsync(account.AuthId, "nina@example.com", ConsoleRole.Owner, Contacto.Audit.AuditActor.Operator, CancellationToken.None)).Link);
        var token = link.Fragment.TrimStart('#');
        Assert.True(token.Length >= 43, "the link carries its token after '#'");
        await using var browser = await HeadlessChromium.LaunchAsync(javaScript: true);
        var page = browser.Page;
        var origin = $"https://localhost:{server.PublicPort}";

        await page.GotoAsync(link.AbsoluteUri.Replace("https://localhost:5001", origin));
        await page.GetByLabel("Password again").WaitForAsync(new() { Timeout = (float)HeadlessChromium.Wait.TotalMilliseconds });
        Assert.Contains("nina@example.com", await page.Locator("main").TextContentAsync());
        Assert.DoesNotContain(token, page.Url);
        await page.GetByLabel("Password", new() { Exact = true }).FillAsync(ConsoleServer.Password);
        await page.GetByLabel("Password again").FillAsync(ConsoleServer.Password);
        await page.GetByRole(AriaRole.Button, new() { Name = "Join" }).ClickAsync();
        Assert.EndsWith("/console/sign-in", page.Url);

        Assert.Contains("/console/invitations/join", targets);
        Assert.All(targets, target => Assert.DoesNotContain(token, target));
        Assert.DoesNotContain(token, string.Join('\n', await browser.Context.CookiesAsync()));
    }

    /// <summary>Records every request's path and query as the server receives them, before anything else runs.</summary>
    sealed class RequestTargets(ConcurrentQueue<string> seen) : IStartupFilter
    {
        public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
        {
            app.Use((context, rest) =>
            {
                seen.Enqueue(context.Request.Path + context.Request.QueryString);
                return rest(context);
            });
            next(app);
        };
    }

    static async Task SignInWithPasswordAsync(IPage page)
    {
        await page.GetByLabel("E-mail").FillAsync("nina@example.com");
        await page.GetByLabel("Password").FillAsync(ConsoleServer.Password);
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in", Exact = true }).ClickAsync();
    }
}
