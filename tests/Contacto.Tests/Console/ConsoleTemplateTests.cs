using System.Net;
using System.Text.Encodings.Web;
using Contacto.Accounts;
using Contacto.Audit;
using Contacto.Console;
using Contacto.Messaging;
using Contacto.Storage;
using Contacto.Testing;
using RazorSlices;

namespace Contacto.Tests.Console;

/// <summary>
/// Every console page rendered from its template with hostile text in each field a user, a
/// customer's API call or an inbound SMS can fill: the text shows, HTML-encoded, and never as markup.
/// </summary>
public sealed class ConsoleTemplateTests
{
    static readonly DateTimeOffset At = new(2026, 3, 4, 5, 6, 7, TimeSpan.Zero);

    /// <summary>Markup and both quote kinds: raw, any of them would break out of text or an attribute.</summary>
    static string Hostile(string field) => $"<i>\"'&{field}";

    static readonly ConsoleUser User = new() { Id = Guid.NewGuid(), Email = Hostile("user-email"), Role = ConsoleRole.Owner, Enabled = true };
    static readonly ConsoleFrame SignedIn = new(Hostile("csrf"), User);
    static readonly ConsoleFrame Anonymous = new(Hostile("csrf"));

    /// <summary>Each kind of page, with the fields that must show in it.</summary>
    public static TheoryData<string> Pages => [.. Samples().Select(s => s.Name)];

    static IEnumerable<(string Name, ConsolePage Page, string[] Shown)> Samples()
    {
        yield return ("message", new MessagePage(SignedIn, Hostile("title"), Hostile("text")), ["title", "text", "user-email", "csrf"]);
        yield return ("sign-in", new SignInPage(Anonymous, Hostile("return"), Hostile("error")), ["return", "error", "csrf"]);
        yield return ("second-factor", new SecondFactorPage(Anonymous, Hostile("return"), true, Hostile("error")), ["return", "error", "csrf"]);
        yield return ("enrol", new EnrolPage(Anonymous, Hostile("secret"), Hostile("email"), Hostile("error")), ["secret", "error", "csrf"]);
        yield return ("replace-totp", new ReplaceTotpPage(SignedIn, Hostile("secret"), Hostile("pending")), ["secret", "pending", "csrf"]);
        yield return ("reauthenticate", new ReauthenticatePage(SignedIn, Hostile("return"), true, Hostile("auth-id"), Hostile("error")), ["return", "error", "csrf"]);
        yield return ("reauthenticate-sso", new ReauthenticatePage(SignedIn, Hostile("return"), false, Hostile("auth-id"), null), ["return", "auth-id", "csrf"]);
        yield return ("sso-start", new SsoStartPage(Anonymous, Hostile("auth-id"), Hostile("return"), Hostile("issuer")), ["auth-id", "return", "issuer", "csrf"]);
        yield return ("sso-return", new SsoReturnPage(new(""), Hostile("finish")), ["finish"]);
        yield return ("security", new SecurityPage(SignedIn, 3, [new ConsolePasskey { Id = Guid.NewGuid(), CreatedAt = At }], false, Hostile("notice"), Hostile("error")),
            ["notice", "error", "user-email"]);
        yield return ("recovery-codes", new RecoveryCodesPage(SignedIn, [Hostile("code")]), ["code"]);
        yield return ("open-invitation", new OpenInvitationPage(Anonymous), ["csrf"]);
        yield return ("join", new JoinPage(Anonymous, Hostile("token"), Hostile("email"), JoinSso.None, Hostile("error")), ["token", "email", "error", "csrf"]);
        yield return ("join-sso", new JoinPage(Anonymous, Hostile("token"), Hostile("email"), JoinSso.Required, Hostile("error")), ["token", "email", "error", "csrf"]);
        yield return ("join-sso-offered", new JoinPage(Anonymous, Hostile("token"), Hostile("email"), JoinSso.Offered, null), ["token", "email", "csrf"]);
        var account = new Account { Id = Guid.NewGuid(), AuthId = Hostile("auth-id"), Enabled = true, CreatedAt = At };
        yield return ("overview", new OverviewPage(SignedIn, account, Hostile("name"), null, true, false, Hostile("error")), ["auth-id", "name", "error"]);
        yield return ("overview-token", new OverviewPage(SignedIn, account, Hostile("name"), Hostile("token"), true, true, null), ["auth-id", "name", "token"]);
        yield return ("overview-sso", new OverviewPage(SignedIn, account, Hostile("name"), null, false, false, Hostile("error")), ["auth-id", "name", "error", "csrf"]);
        yield return ("overview-sso-fresh", new OverviewPage(SignedIn, account, Hostile("name"), null, false, true, null), ["auth-id", "name", "csrf"]);
        yield return ("subaccounts", new SubaccountsPage(SignedIn, [(account, Hostile("name"))]), ["auth-id", "name"]);
        var other = new ConsoleUser { Id = Guid.NewGuid(), Email = Hostile("other-email"), Role = ConsoleRole.Developer, Enabled = true };
        yield return ("users", new UsersPage(SignedIn, [User, other], true, Hostile("link"), Hostile("error")), ["other-email", "link", "error", "csrf"]);
        var record = new AuditRecord
        {
            OccurredAt = At, Action = Hostile("action"), ActorKind = ActorKind.ApiCredential, ActorId = Hostile("actor"), ResourceType = "account",
            ResourceId = Hostile("resource"), SourceAddress = Hostile("address"),
        };
        yield return ("audit", new AuditTrailPage(SignedIn, [record]), ["action", "actor", "resource", "address"]);
        var message = new Message
        {
            Id = Guid.NewGuid(), Direction = Hostile("direction"), State = Hostile("state"), Type = Hostile("type"), ErrorCode = Hostile("error-code"),
            DestinationCountry = Hostile("country"), Carrier = Hostile("carrier"), CreatedAt = At, SentAt = At, UpdatedAt = At,
        };
        var entry = new OpenedMessage(message, Hostile("from"), Hostile("to"), Hostile("sms-text"));
        var filter = new ConsoleMessageLog.Filter(null, null, null, null, null, 2)
        {
            Query = new Dictionary<string, string> { ["from"] = Hostile("query-from"), ["number"] = Hostile("query-number") },
        };
        yield return ("messages", new MessagesPage(SignedIn, filter, new ConsoleMessageLog.Page([entry], true), Hostile("error")),
            ["query-from", "query-number", "direction", "state", "from", "to", "error-code", "error"]);
        yield return ("message-detail", new MessageDetailPage(SignedIn, entry, true), ["direction", "type", "state", "from", "to", "sms-text", "country", "carrier", "error-code"]);
        var sso = new ConsoleSsoSettings { Issuer = Hostile("issuer"), ClientId = Hostile("client-id"), Required = true };
        yield return ("sso", new SsoSettingsPage(SignedIn, sso, Hostile("redirect"), true, Hostile("notice"), Hostile("error")),
            ["issuer", "client-id", "redirect", "notice", "error", "csrf"]);
    }

    [Theory]
    [MemberData(nameof(Pages))]
    public async Task Hostile_text_shows_encoded_and_never_as_markup(string name)
    {
        var (_, page, shown) = Samples().Single(s => s.Name == name);
        var html = await page.Template().RenderAsync();

        Assert.DoesNotContain("<i>", html);
        foreach (var field in shown)
            Assert.Contains(HtmlEncoder.Default.Encode(Hostile(field)), html);
        Assert.StartsWith("<!doctype html>", html.TrimStart());
        Assert.Equal(1, Count(html, "<script")); // the console's own script file, nothing inline
        Assert.DoesNotContain(" style=", html);
    }

    [Fact]
    public void Every_kind_of_page_is_among_the_samples()
    {
        var kinds = typeof(ConsolePage).Assembly.GetTypes().Where(t => t.IsSubclassOf(typeof(ConsolePage)) && !t.IsAbstract).ToHashSet();
        Assert.Equal(kinds.OrderBy(k => k.Name), Samples().Select(s => s.Page.GetType()).Distinct().OrderBy(k => k.Name));
    }

    [Fact]
    public async Task Every_form_that_posts_carries_the_antiforgery_field()
    {
        foreach (var (name, page, _) in Samples())
        {
            var html = await page.Template().RenderAsync();
            var posts = Count(html, "<form method=\"post\"");
            Assert.True(posts == Count(html, $"name=\"{ConsoleEndpoints.CsrfField}\""), $"{name}: {posts} forms post, not all with the token");
        }
    }

    [Fact]
    public async Task A_hostile_return_address_comes_back_from_the_server_only_encoded()
    {
        using var storage = await TestStorage.CreateAsync(StorageProvider.Sqlite);
        await using var console = await ConsoleServer.StartAsync(storage);
        using var browser = console.Browser();
        var returnUrl = "/console/" + Hostile("return");

        var page = await browser.GetAsync("/console/sign-in?return_url=" + Uri.EscapeDataString(returnUrl));

        Assert.Equal(HttpStatusCode.OK, page.Status);
        Assert.Equal("text/html", page.Response.Content.Headers.ContentType?.MediaType);
        Assert.Equal("utf-8", page.Response.Content.Headers.ContentType?.CharSet);
        Assert.Contains("script-src 'self'", page.Response.Headers.GetValues("Content-Security-Policy").Single());
        Assert.DoesNotContain("<i>", page.Html);
        Assert.Equal(2, Count(page.Html, $"name=\"return_url\" value=\"{HtmlEncoder.Default.Encode(returnUrl)}\""));
    }

    static int Count(string text, string part) => (text.Length - text.Replace(part, "").Length) / part.Length;
}
