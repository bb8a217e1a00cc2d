using System.Collections.Concurrent;
using Contacto.Console;
using Contacto.Storage;
using Contacto.Testing;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
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
    public async Task A_new_user_joins_enrols_TOTP_signs_out_and_signs_in_again_on_a_phone_sized_screen_breaking_no_policy()
    {
        using var storage = await TestStorage.CreateAsync(StorageProvider.Sqlite);
        await using var console = await ConsoleServer.StartAsync(storage);
        var (account, _) = await console.Server.CreateAccountAsync("Acme");
        var link = new Uri(await console.InviteAsync(account.AuthId, "nina@example.com"));
        await using var browser = await HeadlessChromium.LaunchAsync(javaScript: false);
        var page = browser.Page;
        var errors = HeadlessChromium.ErrorsOf(page);
        var origin = $"https://localhost:{console.Server.PublicPort}";

        // Without script the page asks for the code after '#', which the browser did not send.
        await page.GotoAsync(link.AbsoluteUri.Replace(link.GetLeftPart(UriPartial.Authority), origin));
        await page.GetByLabel("Invitation code").FillAsync(link.Fragment.TrimStart('#'));
        await page.GetByRole(AriaRole.Button, new() { Name = "Open the invitation" }).ClickAsync();
        Assert.Contains("nina@example.com", await page.Locator("main").TextContentAsync());
        // A username field beside the new password, so that password managers save the pair.
        var username = page.GetByLabel("E-mail");
        Assert.Equal(("nina@example.com", "username"), (await username.InputValueAsync(), await username.GetAttributeAsync("autocomplete")));
        await HeadlessChromium.AssertFitsAsync(page);
        await page.GetByLabel("Password", new() { Exact = true }).FillAsync(ConsoleServer.Password);
        await page.GetByLabel("Password again").FillAsync(ConsoleServer.Password);
        await page.GetByRole(AriaRole.Button, new() { Name = "Join" }).ClickAsync();

        // Joining signs in with the first factor: the next step is the authenticator, and no console page skips it.
        Assert.Equal(origin + "/console/enrol", page.Url);
        await page.GotoAsync(origin + "/console/users");
        Assert.Equal(origin + "/console/enrol", page.Url);
        Assert.True(await page.Locator("figure.qr svg").IsVisibleAsync(), "no QR code");
        var secret = await page.Locator("#totp-secret").TextContentAsync();
        Assert.Matches("^([A-Z2-7]{4} )+[A-Z2-7]{1,4}$", secret);
        await HeadlessChromium.AssertFitsAsync(page);
        var code = page.GetByLabel("Code", new() { Exact = true });
        Assert.Equal("numeric", await code.GetAttributeAsync("inputmode")); // only digits here
        await code.FillAsync(console.Code(secret!));
        await page.GetByRole(AriaRole.Button, new() { Name = "Confirm" }).ClickAsync();

        // The recovery codes survive a reload and download as a file.
        Assert.Equal(origin + "/console/recovery-codes", page.Url);
        var codes = await page.Locator("#recovery-codes li").AllTextContentsAsync();
        Assert.Equal(ConsoleUsers.RecoveryCodeCount, codes.Count);
        await page.ReloadAsync();
        Assert.Equal(codes, await page.Locator("#recovery-codes li").AllTextContentsAsync());
        await HeadlessChromium.AssertFitsAsync(page);
        var download = await page.RunAndWaitForDownloadAsync(() => page.GetByRole(AriaRole.Link, new() { Name = "Download them as a text file" }).ClickAsync());
        var file = await File.ReadAllTextAsync((await download.PathAsync())!);
        Assert.All(codes, c => Assert.Contains(c, file));
        await page.GetByRole(AriaRole.Link, new() { Name = "Continue to the console" }).ClickAsync();
        Assert.Equal(account.AuthId, await page.Locator("#auth-id").TextContentAsync());

        // Signed in, the sign-in and enrolment pages say so.
        foreach (var path in new[] { "/console/sign-in", "/console/enrol", "/console/second-factor" })
        {
            await page.GotoAsync(origin + path);
            Assert.Contains("You are signed in as nina@example.com", await page.Locator("main").TextContentAsync());
        }
        foreach (var path in new[] { "/console/account", "/console/subaccounts", "/console/messages", "/console/users", "/console/sso", "/console/security", "/console/audit" })
        {
            await page.GotoAsync(origin + path);
            Assert.Equal(origin + path, page.Url);
            await HeadlessChromium.AssertFitsAsync(page);
        }

        await page.GetByRole(AriaRole.Button, new() { Name = "Sign out", Exact = true }).ClickAsync();
        Assert.EndsWith("/console/sign-in", page.Url);
        await page.GotoAsync(origin + "/console/account");
        Assert.Contains("/console/sign-in", page.Url);
        Assert.Equal(0, await page.Locator("#recovery-codes").CountAsync());

        console.NextStep();
        await SignInWithPasswordAsync(page);
        Assert.Contains("/console/second-factor", page.Url);
        await HeadlessChromium.AssertFitsAsync(page);
        // A field that takes recovery codes (letters too) asks for no number pad; no passkey button for a user without one.
        var secondFactor = page.GetByLabel("Code from your authenticator app, or a recovery code");
        Assert.Null(await secondFactor.GetAttributeAsync("inputmode"));
        Assert.Equal(0, await page.Locator("#use-passkey").CountAsync());
        await secondFactor.FillAsync(console.Code(secret!));
        await page.GetByRole(AriaRole.Button, new() { Name = "Continue" }).ClickAsync();
        Assert.EndsWith("/console/account", page.Url);
        Assert.Equal(account.AuthId, await page.Locator("#auth-id").TextContentAsync());
        Assert.True(await page.GetByRole(AriaRole.Navigation, new() { Name = "Console" }).IsVisibleAsync());
        Assert.Null(await page.GetByLabel("Code from your authenticator, or a recovery code").GetAttributeAsync("inputmode"));

        var session = (await browser.Context.CookiesAsync()).Single(c => c.Name == ConsoleSessions.CookieName);
        Assert.True(session.Secure && session.HttpOnly);
        Assert.Equal(SameSiteAttribute.Strict, session.SameSite);
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

        await page.GotoAsync(link.AbsoluteUri.Replace(link.GetLeftPart(UriPartial.Authority), origin));
        await page.GetByLabel("Password again").WaitForAsync(new() { Timeout = (float)HeadlessChromium.Wait.TotalMilliseconds });
        Assert.Contains("nina@example.com", await page.Locator("main").TextContentAsync());
        Assert.DoesNotContain(token, page.Url);
        await page.GetByLabel("Password", new() { Exact = true }).FillAsync(ConsoleServer.Password);
        await page.GetByLabel("Password again").FillAsync(ConsoleServer.Password);
        await page.GetByRole(AriaRole.Button, new() { Name = "Join" }).ClickAsync();
        Assert.EndsWith("/console/enrol", page.Url);

        Assert.Contains("/console/invitations/join", targets);
        Assert.All(targets, target => Assert.DoesNotContain(token, target));
        Assert.DoesNotContain(token, string.Join('\n', await browser.Context.CookiesAsync()));
    }

    [Fact]
    public async Task Without_a_public_url_set_invitation_links_follow_the_public_listener_and_open_as_sent()
    {
        using var storage = await TestStorage.CreateAsync(StorageProvider.Sqlite);
        var port = FreeTcpPort();
        var logs = new RecordedLogs();
        await using var server = await RunningServer.StartAsync(storage,
            ["--public-url", $"https://127.0.0.1:{port}", "--Console:PasswordHashMemoryKib", "1024", "--Logging:LogLevel:Contacto.Console", "Information"],
            configure: b => b.Logging.AddProvider(logs));
        Assert.Contains(logs.Lines, line => line.Contains($"Console links use https://localhost:{port}, the public listener's address", StringComparison.Ordinal));
        var (account, _) = await server.CreateAccountAsync("Acme");
        var link = (await server.Services.GetRequiredService<ConsoleUsers>()
            .InviteAsync(account.AuthId, "nina@example.com", ConsoleRole.Owner, Contacto.Audit.AuditActor.Operator, CancellationToken.None)).Link;
        Assert.StartsWith($"https://localhost:{port}/console/invitations#", link);

        await using var browser = await HeadlessChromium.LaunchAsync(javaScript: true);
        await browser.Page.GotoAsync(link);
        await browser.Page.GetByLabel("Password again").WaitForAsync(new() { Timeout = (float)HeadlessChromium.Wait.TotalMilliseconds });
        Assert.Contains("nina@example.com", await browser.Page.Locator("main").TextContentAsync());
    }

    static int FreeTcpPort()
    {
        using var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        return ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
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
