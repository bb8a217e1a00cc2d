using System.Net;
using System.Text.RegularExpressions;
using Contacto.Audit;
using Contacto.Console;
using Contacto.Storage;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Time.Testing;
using OtpNet;

namespace Contacto.Testing;

/// <summary>
/// The real server on a fake clock (so TOTP steps and time-outs move when a test says), with a
/// cheap password hash and no throttle delays, and helpers that walk the console as a browser would.
/// </summary>
public sealed partial class ConsoleServer : IAsyncDisposable
{
    public const string Password = "correct horse battery staple";

    ConsoleServer(RunningServer server, FakeTimeProvider time, TestOidcProvider? provider)
    {
        Server = server;
        Time = time;
        Provider = provider;
    }

    public RunningServer Server { get; }
    public FakeTimeProvider Time { get; }

    /// <summary>The OpenID Connect provider on loopback, for <see cref="StartWithProviderAsync"/>.</summary>
    public TestOidcProvider? Provider { get; }

    public static Task<ConsoleServer> StartAsync(TestStorage storage, params string[] extraArguments) =>
        StartAsync(storage, new FakeTimeProvider(DateTimeOffset.UtcNow), null, extraArguments);

    /// <summary>Also starts an OpenID Connect provider on the same clock, whose certificate Contacto's SSO client trusts.</summary>
    /// <param name="extraArguments">After the loopback allowance the provider needs, which a later <c>Webhooks:AllowedNetworks:0</c> replaces.</param>
    public static async Task<ConsoleServer> StartWithProviderAsync(TestStorage storage, params string[] extraArguments)
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var provider = await TestOidcProvider.StartAsync(time);
        // The provider listens on loopback: allowed the way the webhook tests allow their receivers.
        var console = await StartAsync(storage, time, provider, ["--Webhooks:AllowedNetworks:0", "127.0.0.0/8", .. extraArguments]);
        provider.RedirectUri = $"https://localhost:{console.Server.PublicPort}{ConsoleSso.CallbackPath}";
        return console;
    }

    static async Task<ConsoleServer> StartAsync(TestStorage storage, FakeTimeProvider time, TestOidcProvider? provider, string[] extraArguments)
    {
        var server = await RunningServer.StartAsync(storage,
            [.. RunningServer.OnAFakeClock, "--Console:PasswordHashMemoryKib", "1024", "--Auth:Throttle:BaseDelay", "00:00:00", "--Auth:Throttle:MaxDelay", "00:00:00", .. extraArguments],
            configure: b =>
            {
                b.Services.Replace(ServiceDescriptor.Singleton<TimeProvider>(time));
                if (provider is not null)
                    // The platform's own handler, trusting the test provider's certificate as well.
                    b.Services.AddHttpClient(ConsoleSso.ClientName).ConfigurePrimaryHttpMessageHandler((handler, _) =>
                        ((SocketsHttpHandler)handler).SslOptions.RemoteCertificateValidationCallback = provider.Trusts);
            });
        return new ConsoleServer(server, time, provider);
    }

    /// <param name="from">The loopback address the browser connects from (another client), by default the system's choice.</param>
    public ConsoleBrowser Browser(System.Net.IPAddress? from = null) => new(Server, from: from);

    public async Task<string> InviteAsync(string authId, string email, ConsoleRole role = ConsoleRole.Owner) =>
        (await Server.Services.GetRequiredService<ConsoleUsers>().InviteAsync(authId, email, role, AuditActor.Operator, CancellationToken.None)).Link;

    /// <summary>The six digits an authenticator shows now for <paramref name="secret"/>.</summary>
    public string Code(string secret) => new Totp(Base32Encoding.ToBytes(secret.Replace(" ", ""))).ComputeTotp(Time.GetUtcNow().UtcDateTime);

    /// <summary>Moves the clock to the next TOTP step, so a new code exists.</summary>
    public void NextStep() => Time.Advance(TimeSpan.FromSeconds(30));

    public sealed record Member(ConsoleBrowser Browser, string Email, string Secret, IReadOnlyList<string> RecoveryCodes);

    /// <summary>Invites, joins, signs in and enrols: a browser signed in to the console.</summary>
    public async Task<Member> MemberAsync(string authId, string email, ConsoleRole role = ConsoleRole.Owner)
    {
        var link = await InviteAsync(authId, email, role);
        var browser = Browser();
        Assert.Equal(HttpStatusCode.OK, (await browser.OpenInvitationAsync(link)).Status);
        Assert.Equal(HttpStatusCode.Redirect, (await browser.JoinAsync(link, ("password", Password), ("confirm", Password))).Status);
        var enrol = await browser.SignInAsync(email, Password);
        Assert.Equal("/console/enrol", enrol.Location);
        var page = await browser.GetAsync("/console/enrol");
        var secret = SecretOf(page.Html);
        Assert.Equal("/console/recovery-codes", (await browser.PostAsync("/console/enrol", ("code", Code(secret)))).Location);
        var codes = RecoveryCodesOf((await browser.GetAsync("/console/recovery-codes")).Html);
        return new Member(browser, email, secret, codes);
    }

    /// <summary>Signs in with the password, then <paramref name="code"/> (by default the current TOTP code); the second step's answer.</summary>
    public async Task<ConsoleBrowser.Answer> SignInAgainAsync(ConsoleBrowser browser, Member member, string? code = null, string? returnUrl = null)
    {
        var step = await browser.SignInAsync(member.Email, Password, returnUrl);
        Assert.StartsWith("/console/second-factor", step.Location);
        await browser.GetAsync(step.Location!);
        return await browser.PostAsync("/console/second-factor", ("code", code ?? Code(member.Secret)), ("return_url", returnUrl ?? ""));
    }

    /// <summary>
    /// The account's audit actions, oldest first; <see cref="Guid.Empty"/> is the platform's own
    /// chain. Tallies of failures are written first, as the server's writer would after a minute.
    /// </summary>
    public async Task<List<string>> AuditActionsAsync(Guid accountId)
    {
        await Server.Services.GetRequiredService<FailedAuthentications>().WriteAsync(all: true);
        await using var db = Server.Services.GetRequiredService<ContactoDbContextFactory>().CreateForAccount(accountId);
        return await db.Set<AuditRecord>().OrderBy(r => r.Sequence).Select(r => r.Action).ToListAsync();
    }

    /// <summary>The key the page shows in groups, without the spaces.</summary>
    public static string SecretOf(string html) => SecretPattern().Match(html).Groups[1].Value.Replace(" ", "");

    public static List<string> RecoveryCodesOf(string html) => [.. RecoveryCodePattern().Matches(html).Select(m => m.Groups[1].Value)];

    [GeneratedRegex("<code id=\"totp-secret\" class=\"key\">([A-Z2-7 ]+)</code>")]
    private static partial Regex SecretPattern();

    [GeneratedRegex("<li><code>([A-Z0-9]{10})</code></li>")]
    private static partial Regex RecoveryCodePattern();

    public async ValueTask DisposeAsync()
    {
        await Server.DisposeAsync();
        if (Provider is not null)
            await Provider.DisposeAsync();
    }
}

/// <summary>
/// An HTTP client that keeps cookies and follows no redirect, so each step's answer can be checked.
/// Forms are posted with the antiforgery token of the last page it read.
/// </summary>
public sealed partial class ConsoleBrowser : IDisposable
{
    readonly HttpClient client;

    /// <param name="cookies">Another browser's cookies, to carry its session to another node.</param>
    /// <param name="from">The loopback address to connect from (<see cref="LocalSource"/>).</param>
    public ConsoleBrowser(RunningServer server, CookieContainer? cookies = null, IPAddress? from = null)
        : this(server.CaPath, server.PublicPort, cookies, from)
    {
    }

    public ConsoleBrowser(string caPath, int publicPort, CookieContainer? cookies = null, IPAddress? from = null)
    {
        Cookies = cookies ?? new CookieContainer();
        client = new HttpClient(new SocketsHttpHandler
        {
            SslOptions = { RemoteCertificateValidationCallback = CaTrust.Validator(caPath) },
            CookieContainer = Cookies,
            AllowAutoRedirect = false,
            ConnectCallback = from is null ? null : LocalSource.ConnectFrom(from),
        })
        {
            BaseAddress = new Uri($"https://localhost:{publicPort}/"),
            Timeout = TimeSpan.FromSeconds(30),
        };
    }

    public CookieContainer Cookies { get; }

    /// <summary>The antiforgery token of the last page read.</summary>
    public string Csrf { get; private set; } = "";

    public sealed record Answer(HttpStatusCode Status, string Html, string? Location, HttpResponseMessage Response);

    public string? Session => Cookies.GetAllCookies().SingleOrDefault(c => c.Name == ConsoleSessions.CookieName)?.Value;

    public async Task<Answer> GetAsync(string path) => await ReadAsync(await client.GetAsync(path));

    public Task<Answer> PostAsync(string path, params (string Name, string Value)[] fields) =>
        PostWithTokenAsync(path, Csrf, fields);

    public async Task<Answer> PostWithTokenAsync(string path, string? csrf, params (string Name, string Value)[] fields)
    {
        var all = fields.Select(f => new KeyValuePair<string, string>(f.Name, f.Value)).ToList();
        if (csrf is not null)
            all.Add(new(ConsoleEndpoints.CsrfField, csrf));
        return await ReadAsync(await client.PostAsync(path, new FormUrlEncodedContent(all)));
    }

    /// <summary>Posts JSON as the console's script would, with the antiforgery token in its header.</summary>
    public async Task<Answer> PostJsonAsync(string path, string json)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = new StringContent(json, System.Text.Encoding.UTF8, "application/json") };
        request.Headers.Add("RequestVerificationToken", Csrf);
        return await ReadAsync(await client.SendAsync(request));
    }

    /// <summary>Opens an invitation link as the console's script does: the page, then the token from after its '#', posted.</summary>
    public async Task<Answer> OpenInvitationAsync(string link)
    {
        await GetAsync(new Uri(link).AbsolutePath);
        return await PostAsync("/console/invitations", ("token", InvitationToken(link)));
    }

    /// <summary>Joins with the invitation <paramref name="link"/> names, posting <paramref name="fields"/> (the password twice, unless SSO).</summary>
    public Task<Answer> JoinAsync(string link, params (string Name, string Value)[] fields) =>
        PostAsync("/console/invitations/join", [("token", InvitationToken(link)), .. fields]);

    public static string InvitationToken(string link) => new Uri(link).Fragment.TrimStart('#');

    /// <summary>
    /// Comes back from the provider to <paramref name="callback"/> (a path and query): the callback's
    /// page, which sets no cookie, then the same-site step it leads to; that step's answer.
    /// </summary>
    public async Task<Answer> ReturnFromProviderAsync(string callback)
    {
        var bounce = await GetAsync(callback);
        Assert.Equal(HttpStatusCode.OK, bounce.Status);
        Assert.False(bounce.Response.Headers.Contains("Set-Cookie"), "the callback, reached cross-site, set a cookie");
        var next = WebUtility.HtmlDecode(GoOnPattern().Match(bounce.Html).Groups[1].Value);
        Assert.StartsWith(ConsoleSso.FinishPath + "?", next);
        return await GetAsync(next);
    }

    public async Task<Answer> SignInAsync(string email, string password, string? returnUrl = null)
    {
        await GetAsync("/console/sign-in");
        return await PostAsync("/console/sign-in", ("email", email), ("password", password), ("return_url", returnUrl ?? ""));
    }

    async Task<Answer> ReadAsync(HttpResponseMessage response)
    {
        var html = await response.Content.ReadAsStringAsync();
        if (CsrfPattern().Match(html) is { Success: true } match)
            Csrf = WebUtility.HtmlDecode(match.Groups[1].Value);
        return new Answer(response.StatusCode, html, response.Headers.Location?.OriginalString, response);
    }

    [GeneratedRegex("<meta http-equiv=\"refresh\" content=\"0; url=([^\"]+)\">")]
    private static partial Regex GoOnPattern();

    [GeneratedRegex("name=\"__csrf\" value=\"([^\"]+)\"")]
    private static partial Regex CsrfPattern();

    public void Dispose() => client.Dispose();
}
