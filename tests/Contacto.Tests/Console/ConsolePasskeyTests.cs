using System.Net;
using System.Text;
using System.Text.Json;
using Contacto.Console;
using Contacto.Storage;
using Contacto.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Contacto.Tests.Console;

/// <summary>WebAuthn passkeys as a second factor, driven by a software authenticator against the real server.</summary>
public sealed class ConsolePasskeyTests
{
    [Theory]
    [MemberData(nameof(TestStorage.Providers), MemberType = typeof(TestStorage))]
    public async Task A_registered_passkey_replaces_the_TOTP_code_and_each_challenge_serves_once(StorageProvider provider)
    {
        using var storage = await TestStorage.CreateAsync(provider);
        await using var console = await ConsoleServer.StartAsync(storage);
        var (account, _) = await console.Server.CreateAccountAsync();
        var member = await console.MemberAsync(account.AuthId, "pat@example.com");
        using var authenticator = new SoftwareAuthenticator($"https://localhost:{console.Server.PublicPort}");

        await member.Browser.GetAsync("/console/account");
        var creation = await member.Browser.PostJsonAsync("/console/passkeys/registration-options", "{}");
        Assert.Equal(HttpStatusCode.OK, creation.Status);
        var attestation = authenticator.Create(creation.Html);
        Assert.Equal(HttpStatusCode.Created, (await member.Browser.PostJsonAsync("/console/passkeys", attestation)).Status);
        Assert.Equal(HttpStatusCode.BadRequest, (await member.Browser.PostJsonAsync("/console/passkeys", attestation)).Status);

        using var browser = console.Browser();
        var step = await browser.SignInAsync(member.Email, ConsoleServer.Password);
        await browser.GetAsync(step.Location!);
        var request = await browser.PostJsonAsync("/console/passkeys/assertion-options", "{}");
        Assert.Equal(HttpStatusCode.OK, request.Status);
        Assert.Contains(authenticator.CredentialId, request.Html);
        var assertion = authenticator.Get(request.Html);
        var firstFactorSession = browser.Session;
        var signedIn = await browser.PostJsonAsync("/console/passkeys/assertion", assertion);
        Assert.Equal(HttpStatusCode.OK, signedIn.Status);
        Assert.NotEqual(firstFactorSession, browser.Session);
        Assert.Equal(HttpStatusCode.OK, (await browser.GetAsync("/console/account")).Status);

        // The same signed answer, replayed by another browser at its own sign-in, is refused.
        using var replay = console.Browser();
        step = await replay.SignInAsync(member.Email, ConsoleServer.Password);
        await replay.GetAsync(step.Location!);
        await replay.PostJsonAsync("/console/passkeys/assertion-options", "{}");
        Assert.Equal(HttpStatusCode.Unauthorized, (await replay.PostJsonAsync("/console/passkeys/assertion", assertion)).Status);

        await using var db = console.Server.Services.GetRequiredService<ContactoDbContextFactory>().CreateDbContext();
        Assert.Equal(2, (await db.Set<ConsolePasskey>().SingleAsync()).SignCount);
    }

    [Fact]
    public async Task Adding_a_passkey_needs_a_recent_proof_of_the_user()
    {
        using var storage = await TestStorage.CreateAsync(StorageProvider.Sqlite);
        await using var console = await ConsoleServer.StartAsync(storage, "--Console:ReauthenticationWindow", "00:05:00");
        var (account, _) = await console.Server.CreateAccountAsync();
        var member = await console.MemberAsync(account.AuthId, "quinn@example.com");

        console.Time.Advance(TimeSpan.FromMinutes(6));
        await member.Browser.GetAsync("/console/account");
        Assert.Equal(HttpStatusCode.Forbidden, (await member.Browser.PostJsonAsync("/console/passkeys/registration-options", "{}")).Status);
        var revealed = await member.Browser.PostAsync("/console/account/token", ("password", ConsoleServer.Password), ("code", console.Code(member.Secret)));
        Assert.Equal(HttpStatusCode.OK, revealed.Status);
        Assert.Equal(HttpStatusCode.OK, (await member.Browser.PostJsonAsync("/console/passkeys/registration-options", "{}")).Status);
    }

    [Fact]
    public async Task The_relying_party_is_the_configured_public_host_whatever_the_Host_header_says()
    {
        using var storage = await TestStorage.CreateAsync(StorageProvider.Sqlite);
        await using var console = await ConsoleServer.StartAsync(storage, "--Console:PublicUrl", "https://console.example.com");
        var (account, _) = await console.Server.CreateAccountAsync();
        var member = await console.MemberAsync(account.AuthId, "rp@example.com");

        await member.Browser.GetAsync("/console/account");
        // The browser's session and form token, sent with a Host header of the attacker's choosing
        // (TLS then names that host too, so this client checks nothing of the certificate).
        using var client = new HttpClient(new SocketsHttpHandler
        {
            CookieContainer = member.Browser.Cookies,
            SslOptions = { RemoteCertificateValidationCallback = (_, _, _, _) => true },
        });
        foreach (var host in new[] { "localhost", "evil.example", $"evil.example:{console.Server.PublicPort}" })
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, $"https://localhost:{console.Server.PublicPort}/console/passkeys/registration-options")
            {
                Content = new StringContent("{}", Encoding.UTF8, "application/json"),
            };
            request.Headers.Host = host;
            request.Headers.Add("RequestVerificationToken", member.Browser.Csrf);
            using var creation = await client.SendAsync(request);
            Assert.Equal(HttpStatusCode.OK, creation.StatusCode);
            var options = JsonDocument.Parse(await creation.Content.ReadAsStringAsync()).RootElement;
            Assert.Equal("console.example.com", options.GetProperty("rp").GetProperty("id").GetString());
        }
    }
}
