using System.Net;
using System.Text.RegularExpressions;
using Contacto.Audit;
using Contacto.Console;
using Contacto.Storage;
using Contacto.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Contacto.Tests.Console;

public sealed class ConsoleSignInTests
{
    [Theory]
    [MemberData(nameof(TestStorage.Providers), MemberType = typeof(TestStorage))]
    public async Task Inviting_answers_the_same_whether_or_not_the_address_belongs_to_a_user_of_any_tenant(StorageProvider provider)
    {
        using var storage = await TestStorage.CreateAsync(provider);
        await using var console = await ConsoleServer.StartAsync(storage);
        var (mine, _) = await console.Server.CreateAccountAsync("Acme");
        var (theirs, _) = await console.Server.CreateAccountAsync("Other");
        await console.MemberAsync(theirs.AuthId, "taken@example.com");
        var admin = await console.MemberAsync(mine.AuthId, "admin@example.com", ConsoleRole.Admin);

        await admin.Browser.GetAsync("/console/users");
        var taken = await admin.Browser.PostAsync("/console/users/invite", ("email", "taken@example.com"), ("role", "developer"));
        await admin.Browser.GetAsync("/console/users");
        var free = await admin.Browser.PostAsync("/console/users/invite", ("email", "free@example.com"), ("role", "developer"));

        Assert.Equal(HttpStatusCode.OK, taken.Status);
        Assert.Equal(HttpStatusCode.OK, free.Status);
        // The same page, but for the link's token and the form tokens.
        static string Shape(string html) => Regex.Replace(Regex.Replace(html, "#[A-Za-z0-9_-]+</code>", "#TOKEN</code>"), "value=\"[^\"]*\"", "value=\"\"");
        Assert.Equal(Shape(free.Html), Shape(taken.Html));

        // A link for an address that is taken never joins.
        var link = WebUtility.HtmlDecode(Regex.Match(taken.Html, "id=\"invitation-link\">([^<]+)<").Groups[1].Value);
        using var stranger = console.Browser();
        await stranger.OpenInvitationAsync(link);
        Assert.Equal(HttpStatusCode.NotFound, (await stranger.JoinAsync(link, ("password", ConsoleServer.Password), ("confirm", ConsoleServer.Password))).Status);
    }

    [Theory]
    [MemberData(nameof(TestStorage.Providers), MemberType = typeof(TestStorage))]
    public async Task An_invited_user_joins_enrols_TOTP_and_signs_in_again_with_a_code_usable_once(StorageProvider provider)
    {
        using var storage = await TestStorage.CreateAsync(provider);
        await using var console = await ConsoleServer.StartAsync(storage);
        var (account, _) = await console.Server.CreateAccountAsync("Acme");
        var member = await console.MemberAsync(account.AuthId, "Ana@Example.com");
        Assert.Equal(ConsoleUsers.RecoveryCodeCount, member.RecoveryCodes.Distinct().Count());

        var overview = await member.Browser.GetAsync("/console/account");
        Assert.Equal(HttpStatusCode.OK, overview.Status);
        Assert.Contains(account.AuthId, overview.Html);

        // Signing in again: the code from the enrolment's time step was spent there.
        using var again = console.Browser();
        var password = await again.SignInAsync("ana@example.com", ConsoleServer.Password);
        Assert.StartsWith("/console/second-factor", password.Location);
        await again.GetAsync(password.Location!);
        Assert.Equal(HttpStatusCode.Unauthorized, (await again.PostAsync("/console/second-factor", ("code", console.Code(member.Secret)))).Status);
        console.NextStep();
        var code = console.Code(member.Secret);
        var signedIn = await again.PostAsync("/console/second-factor", ("code", code));
        Assert.Equal(HttpStatusCode.Redirect, signedIn.Status);
        Assert.Equal(ConsoleText.Home, signedIn.Location);
        Assert.Equal(HttpStatusCode.OK, (await again.GetAsync("/console/account")).Status);

        // The same code, replayed by someone who saw it, is refused.
        using var thief = console.Browser();
        await thief.SignInAsync("ana@example.com", ConsoleServer.Password);
        Assert.Equal(HttpStatusCode.Unauthorized, (await thief.PostAsync("/console/second-factor", ("code", code))).Status);

        await using var db = console.Server.Services.GetRequiredService<ContactoDbContextFactory>().CreateForAccount(account.Id);
        var user = await db.Set<ConsoleUser>().SingleAsync();
        Assert.Equal("ana@example.com", (await ConsoleEmails.OpenAsync(console.Server.Services.GetRequiredService<Contacto.Crypto.ITenantCrypto>(), user, CancellationToken.None)).Email);
        Assert.StartsWith("argon2id$", user.PasswordHash);
        Assert.DoesNotContain(ConsoleServer.Password, user.PasswordHash);
        Assert.NotNull(user.TotpSecretSealed);
        Assert.True(user.TotpSecretSealed.AsSpan().IndexOf(OtpNet.Base32Encoding.ToBytes(member.Secret)) < 0, "the TOTP secret is stored in clear");
        var actions = await console.AuditActionsAsync(account.Id);
        Assert.Contains(AuditActions.ConsoleUserInvited, actions);
        Assert.Contains(AuditActions.ConsoleUserJoined, actions);
        Assert.Contains(AuditActions.ConsoleTotpEnrolled, actions);
        Assert.Contains(AuditActions.ConsoleSignInSucceeded, actions);
        Assert.Contains(AuditActions.ConsoleSecondFactorFailed, actions);
    }

    [Fact]
    public async Task Session_cookies_are_secure_HttpOnly_SameSite_strict_and_renewed_at_each_step()
    {
        using var storage = await TestStorage.CreateAsync(StorageProvider.Sqlite);
        await using var console = await ConsoleServer.StartAsync(storage);
        var (account, _) = await console.Server.CreateAccountAsync();
        var member = await console.MemberAsync(account.AuthId, "bo@example.com");
        console.NextStep();

        using var browser = console.Browser();
        var password = await browser.SignInAsync(member.Email, ConsoleServer.Password);
        var setCookie = Assert.Single(password.Response.Headers.GetValues("Set-Cookie"), v => v.StartsWith(ConsoleSessions.CookieName));
        Assert.Contains("secure", setCookie, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("httponly", setCookie, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("samesite=strict", setCookie, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("path=/", setCookie, StringComparison.OrdinalIgnoreCase);
        var afterPassword = browser.Session;

        await browser.GetAsync(password.Location!);
        await browser.PostAsync("/console/second-factor", ("code", console.Code(member.Secret)));
        var afterSecondFactor = browser.Session;
        Assert.NotNull(afterPassword);
        Assert.NotEqual(afterPassword, afterSecondFactor);
        Assert.Equal(HttpStatusCode.OK, (await browser.GetAsync("/console/account")).Status);

        // The pre-second-factor token is dead: whoever planted or saw it gains nothing.
        using var fixer = console.Browser();
        fixer.Cookies.Add(new Cookie(ConsoleSessions.CookieName, afterPassword, "/", "localhost") { Secure = true });
        Assert.StartsWith("/console/sign-in", (await fixer.GetAsync("/console/account")).Location);
        Assert.Equal("/console/sign-in", (await fixer.GetAsync("/console/second-factor")).Location);
    }

    [Fact]
    public async Task A_session_cookie_planted_before_sign_in_is_replaced_and_worthless()
    {
        using var storage = await TestStorage.CreateAsync(StorageProvider.Sqlite);
        await using var console = await ConsoleServer.StartAsync(storage);
        var (account, _) = await console.Server.CreateAccountAsync();
        var member = await console.MemberAsync(account.AuthId, "cy@example.com");
        console.NextStep();

        // The attacker starts a sign-in of their own and plants that session in the victim's browser.
        using var attacker = console.Browser();
        await attacker.SignInAsync(member.Email, ConsoleServer.Password);
        var planted = attacker.Session!;
        using var victim = console.Browser();
        victim.Cookies.Add(new Cookie(ConsoleSessions.CookieName, planted, "/", "localhost") { Secure = true });

        await console.SignInAgainAsync(victim, member);
        Assert.NotEqual(planted, victim.Session);
        Assert.Equal(HttpStatusCode.OK, (await victim.GetAsync("/console/account")).Status);
        Assert.StartsWith("/console/sign-in", (await attacker.GetAsync("/console/account")).Location);
    }

    [Fact]
    public async Task Repeated_failures_lock_the_address_out_even_with_the_right_password_and_are_audited()
    {
        using var storage = await TestStorage.CreateAsync(StorageProvider.Sqlite);
        await using var console = await ConsoleServer.StartAsync(storage, "--Auth:Throttle:SlowAfter", "2", "--Auth:Throttle:RefuseAfter", "4", "--Auth:Throttle:Window", "00:10:00");
        var (account, _) = await console.Server.CreateAccountAsync();
        var member = await console.MemberAsync(account.AuthId, "di@example.com");

        using var attacker = console.Browser();
        for (var i = 0; i < 4; i++)
            Assert.Equal(HttpStatusCode.Unauthorized, (await attacker.SignInAsync(member.Email, $"guess number {i}")).Status);
        var locked = await attacker.SignInAsync(member.Email, ConsoleServer.Password);
        Assert.Equal(HttpStatusCode.TooManyRequests, locked.Status);
        Assert.NotNull(locked.Response.Headers.RetryAfter);
        Assert.Null(attacker.Session);

        // One tally of the four failures in the user's chain; the refusal, before any user was known, in the platform's.
        Assert.Single(await console.AuditActionsAsync(account.Id), a => a == AuditActions.ConsoleSignInFailed);
        await using (var db = console.Server.Services.GetRequiredService<ContactoDbContextFactory>().CreateForAccount(account.Id))
            Assert.StartsWith("4 in the minute from ", (await db.Set<AuditRecord>().SingleAsync(r => r.Action == AuditActions.ConsoleSignInFailed)).Reason);
        Assert.Contains(AuditActions.ConsoleSignInThrottled, await console.AuditActionsAsync(Guid.Empty));

        console.Time.Advance(TimeSpan.FromMinutes(10));
        Assert.Equal(HttpStatusCode.Redirect, (await attacker.SignInAsync(member.Email, ConsoleServer.Password)).Status);
    }

    [Fact]
    public async Task Forms_without_this_browsers_antiforgery_token_are_refused()
    {
        using var storage = await TestStorage.CreateAsync(StorageProvider.Sqlite);
        await using var console = await ConsoleServer.StartAsync(storage);
        var (account, _) = await console.Server.CreateAccountAsync();
        var owner = await console.MemberAsync(account.AuthId, "ed@example.com");

        Assert.Equal(HttpStatusCode.BadRequest, (await owner.Browser.PostWithTokenAsync("/console/users/invite", null, ("email", "x@example.com"), ("role", "admin"))).Status);
        using var other = console.Browser();
        await other.GetAsync("/console/sign-in");
        Assert.Equal(HttpStatusCode.BadRequest, (await owner.Browser.PostWithTokenAsync("/console/users/invite", other.Csrf, ("email", "x@example.com"), ("role", "admin"))).Status);
        using var stranger = console.Browser();
        Assert.Equal(HttpStatusCode.BadRequest, (await stranger.PostWithTokenAsync("/console/sign-in", null, ("email", owner.Email), ("password", ConsoleServer.Password))).Status);

        await owner.Browser.GetAsync("/console/users");
        var invited = await owner.Browser.PostAsync("/console/users/invite", ("email", "x@example.com"), ("role", "admin"));
        Assert.Equal(HttpStatusCode.OK, invited.Status);
        Assert.Contains("/console/invitations#", invited.Html);
    }

    [Fact]
    public async Task Disabling_a_user_ends_their_sessions_at_once_and_another_accounts_user_ids_find_nothing()
    {
        using var storage = await TestStorage.CreateAsync(StorageProvider.Sqlite);
        await using var console = await ConsoleServer.StartAsync(storage);
        var (acme, _) = await console.Server.CreateAccountAsync("Acme");
        var (globex, _) = await console.Server.CreateAccountAsync("Globex");
        var owner = await console.MemberAsync(acme.AuthId, "owner@acme.example");
        console.NextStep();
        var developer = await console.MemberAsync(acme.AuthId, "dev@acme.example", ConsoleRole.Developer);
        console.NextStep();
        var outsider = await console.MemberAsync(globex.AuthId, "owner@globex.example");
        var ids = console.Server.Services.GetRequiredService<ContactoDbContextFactory>();
        Guid IdOf(string email)
        {
            var index = ConsoleEmails.IndexAsync(console.Server.Services.GetRequiredService<Contacto.Crypto.ITenantCrypto>(), email, CancellationToken.None).AsTask().GetAwaiter().GetResult();
            using var db = ids.CreateDbContext();
            return db.Set<ConsoleUser>().Single(u => u.EmailIndex == index).Id;
        }

        // Globex's owner cannot see or disable Acme's users.
        var globexUsers = await outsider.Browser.GetAsync("/console/users");
        Assert.DoesNotContain("acme.example", globexUsers.Html);
        var globexAudit = await outsider.Browser.GetAsync("/console/audit");
        Assert.Contains(IdOf(outsider.Email).ToString(), globexAudit.Html);
        Assert.DoesNotContain(IdOf(owner.Email).ToString(), globexAudit.Html);
        Assert.Equal(HttpStatusCode.NotFound, (await outsider.Browser.PostAsync($"/console/users/{IdOf(developer.Email)}/disable")).Status);
        Assert.Equal(HttpStatusCode.OK, (await developer.Browser.GetAsync("/console/account")).Status);

        // A developer may not disable anyone.
        await developer.Browser.GetAsync("/console/users");
        Assert.Equal(HttpStatusCode.Forbidden, (await developer.Browser.PostAsync($"/console/users/{IdOf(owner.Email)}/disable")).Status);

        await owner.Browser.GetAsync("/console/users");
        Assert.Equal(HttpStatusCode.Redirect, (await owner.Browser.PostAsync($"/console/users/{IdOf(developer.Email)}/disable")).Status);
        Assert.StartsWith("/console/sign-in", (await developer.Browser.GetAsync("/console/account")).Location);
        using var retry = console.Browser();
        Assert.Equal(HttpStatusCode.Unauthorized, (await retry.SignInAsync(developer.Email, ConsoleServer.Password)).Status);
        Assert.Contains(AuditActions.ConsoleUserDisabled, await console.AuditActionsAsync(acme.Id));
    }

    [Theory]
    [InlineData("https://evil.example/")]
    [InlineData("//evil.example/console/")]
    [InlineData("/\\evil.example")]
    [InlineData("/console/..//evil.example")]
    [InlineData("javascript:alert(1)")]
    public async Task Return_addresses_never_leave_the_console(string returnUrl)
    {
        using var storage = await TestStorage.CreateAsync(StorageProvider.Sqlite);
        await using var console = await ConsoleServer.StartAsync(storage);
        var (account, _) = await console.Server.CreateAccountAsync();
        var member = await console.MemberAsync(account.AuthId, "fa@example.com");
        console.NextStep();

        using var browser = console.Browser();
        Assert.Equal(ConsoleText.Home, (await console.SignInAgainAsync(browser, member, returnUrl: returnUrl)).Location);
    }

    [Fact]
    public async Task A_console_return_address_is_kept_through_sign_in()
    {
        using var storage = await TestStorage.CreateAsync(StorageProvider.Sqlite);
        await using var console = await ConsoleServer.StartAsync(storage);
        var (account, _) = await console.Server.CreateAccountAsync();
        var member = await console.MemberAsync(account.AuthId, "ga@example.com");
        console.NextStep();

        using var browser = console.Browser();
        var bounced = await browser.GetAsync("/console/audit");
        Assert.Equal("/console/sign-in?return_url=%2Fconsole%2Faudit", bounced.Location);
        var step = await browser.SignInAsync(member.Email, ConsoleServer.Password, "/console/audit");
        var secondFactor = await browser.GetAsync(step.Location!);
        Assert.Contains("value=\"/console/audit\"", secondFactor.Html);
        Assert.Equal("/console/audit", (await browser.PostAsync("/console/second-factor", ("code", console.Code(member.Secret)), ("return_url", "/console/audit"))).Location);
    }

    [Fact]
    public async Task Sessions_end_when_idle_too_long_and_at_the_absolute_limit_however_busy()
    {
        using var storage = await TestStorage.CreateAsync(StorageProvider.Sqlite);
        await using var console = await ConsoleServer.StartAsync(storage, "--Console:IdleTimeout", "00:30:00", "--Console:AbsoluteTimeout", "02:00:00");
        var (account, _) = await console.Server.CreateAccountAsync();
        var busy = await console.MemberAsync(account.AuthId, "busy@example.com");
        console.NextStep();
        var idle = await console.MemberAsync(account.AuthId, "idle@example.com");

        for (var i = 0; i < 5; i++)
        {
            console.Time.Advance(TimeSpan.FromMinutes(20));
            Assert.Equal(HttpStatusCode.OK, (await busy.Browser.GetAsync("/console/account")).Status);
        }
        Assert.StartsWith("/console/sign-in", (await idle.Browser.GetAsync("/console/account")).Location);
        console.Time.Advance(TimeSpan.FromMinutes(20));
        Assert.StartsWith("/console/sign-in", (await busy.Browser.GetAsync("/console/account")).Location);
    }

    [Fact]
    public async Task Sign_out_everywhere_ends_every_session_of_the_user()
    {
        using var storage = await TestStorage.CreateAsync(StorageProvider.Sqlite);
        await using var console = await ConsoleServer.StartAsync(storage);
        var (account, _) = await console.Server.CreateAccountAsync();
        var member = await console.MemberAsync(account.AuthId, "ha@example.com");
        console.NextStep();
        using var laptop = console.Browser();
        await console.SignInAgainAsync(laptop, member);
        Assert.Equal(HttpStatusCode.OK, (await laptop.GetAsync("/console/account")).Status);

        Assert.Equal("/console/sign-in", (await laptop.PostAsync("/console/sign-out-everywhere")).Location);
        Assert.StartsWith("/console/sign-in", (await laptop.GetAsync("/console/account")).Location);
        Assert.StartsWith("/console/sign-in", (await member.Browser.GetAsync("/console/account")).Location);
        Assert.Contains(AuditActions.ConsoleSessionsRevoked, await console.AuditActionsAsync(account.Id));
    }

    [Fact]
    public async Task Revealing_the_auth_token_needs_the_password_and_a_fresh_code()
    {
        using var storage = await TestStorage.CreateAsync(StorageProvider.Sqlite);
        await using var console = await ConsoleServer.StartAsync(storage);
        var (account, token) = await console.Server.CreateAccountAsync();
        var member = await console.MemberAsync(account.AuthId, "ia@example.com");

        var overview = await member.Browser.GetAsync("/console/account");
        Assert.DoesNotContain(token, overview.Html);
        console.NextStep();
        var wrong = await member.Browser.PostAsync("/console/account/token", ("password", "not the password"), ("code", console.Code(member.Secret)));
        Assert.Equal(HttpStatusCode.Unauthorized, wrong.Status);
        Assert.DoesNotContain(token, wrong.Html);
        var revealed = await member.Browser.PostAsync("/console/account/token", ("password", ConsoleServer.Password), ("code", console.Code(member.Secret)));
        Assert.Equal(HttpStatusCode.OK, revealed.Status);
        Assert.Contains($"<code id=\"auth-token\">{token}</code>", revealed.Html);
        Assert.Contains(AuditActions.AccountTokenRevealed, await console.AuditActionsAsync(account.Id));
    }

    [Fact]
    public async Task A_recovery_code_signs_in_once()
    {
        using var storage = await TestStorage.CreateAsync(StorageProvider.Sqlite);
        await using var console = await ConsoleServer.StartAsync(storage);
        var (account, _) = await console.Server.CreateAccountAsync();
        var member = await console.MemberAsync(account.AuthId, "ja@example.com");
        var recovery = member.RecoveryCodes[3];

        using var first = console.Browser();
        Assert.Equal(ConsoleText.Home, (await console.SignInAgainAsync(first, member, recovery.ToLowerInvariant())).Location);
        using var second = console.Browser();
        Assert.Equal(HttpStatusCode.Unauthorized, (await console.SignInAgainAsync(second, member, recovery)).Status);
    }

    [Fact]
    public async Task An_invitation_link_works_once_and_not_after_it_expires()
    {
        using var storage = await TestStorage.CreateAsync(StorageProvider.Sqlite);
        await using var console = await ConsoleServer.StartAsync(storage, "--Console:InvitationLifetime", "1.00:00:00");
        var (account, _) = await console.Server.CreateAccountAsync();
        var used = await console.InviteAsync(account.AuthId, "ka@example.com");
        var late = await console.InviteAsync(account.AuthId, "la@example.com");

        using var browser = console.Browser();
        Assert.Equal(HttpStatusCode.OK, (await browser.OpenInvitationAsync(used)).Status);
        Assert.Equal(HttpStatusCode.BadRequest, (await browser.JoinAsync(used, ("password", "short"), ("confirm", "short"))).Status);
        Assert.Equal(HttpStatusCode.Redirect, (await browser.JoinAsync(used, ("password", ConsoleServer.Password), ("confirm", ConsoleServer.Password))).Status);
        Assert.Equal(HttpStatusCode.NotFound, (await browser.OpenInvitationAsync(used)).Status);
        Assert.Equal(HttpStatusCode.NotFound, (await browser.JoinAsync(used, ("password", "another long password"), ("confirm", "another long password"))).Status);

        console.Time.Advance(TimeSpan.FromDays(1));
        Assert.Equal(HttpStatusCode.NotFound, (await browser.OpenInvitationAsync(late)).Status);
    }

    [Fact]
    public async Task Pages_carry_a_strict_policy_and_show_the_accounts_own_data()
    {
        using var storage = await TestStorage.CreateAsync(StorageProvider.Sqlite);
        await using var console = await ConsoleServer.StartAsync(storage);
        var (account, token) = await console.Server.CreateAccountAsync("Acme");
        var sub = await console.Server.Services.GetRequiredService<Contacto.Accounts.AccountService>()
            .CreateAsync("Acme EU", account.Id, true, AuditActor.Operator, null, CancellationToken.None);
        var member = await console.MemberAsync(account.AuthId, "ma@example.com");

        foreach (var path in new[] { "/console/account", "/console/subaccounts", "/console/users", "/console/audit", "/console/sign-in" })
        {
            var page = await member.Browser.GetAsync(path);
            Assert.Equal(HttpStatusCode.OK, page.Status);
            var policy = page.Response.Headers.GetValues("Content-Security-Policy").Single();
            Assert.Contains("default-src 'none'", policy);
            Assert.Contains("frame-ancestors 'none'", policy);
            Assert.DoesNotMatch("<script(?![^>]*\\bsrc=)", page.Html); // no inline script
            Assert.DoesNotContain(" style=", page.Html);
            Assert.DoesNotContain(token, page.Html);
        }
        Assert.Contains(sub.Account.AuthId, (await member.Browser.GetAsync("/console/subaccounts")).Html);
        Assert.Contains("Acme EU", (await member.Browser.GetAsync("/console/subaccounts")).Html);
        Assert.Contains(AuditActions.ConsoleSignInSucceeded, (await member.Browser.GetAsync("/console/audit")).Html);
    }

}
