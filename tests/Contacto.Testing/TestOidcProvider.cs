using System.Collections.Concurrent;
using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Contacto.Testing;

/// <summary>How the provider spoils its next ID token, to prove Contacto refuses it.</summary>
public enum IdTokenFault
{
    None,
    WrongAudience,
    WrongNonce,
    Expired,
    WrongIssuer,
    ForeignKey,
}

/// <summary>
/// A small, real OpenID Connect provider on loopback, with its own certificate: discovery, JWKS,
/// an authorization endpoint that signs in whoever <see cref="NextUser"/> names (authorization code
/// with PKCE S256 only, exact redirect address), at once or after its own sign-in page
/// (<see cref="ShowsPage"/>), and a token endpoint that checks the client
/// secret (Basic), the code (once), the redirect address and the code verifier, and issues an
/// RS256 ID token.
/// </summary>
public sealed class TestOidcProvider : IAsyncDisposable
{
    public const string ClientId = "contacto-console";
    public const string ClientSecret = "s3cret-of-the-test-client";

    sealed record Grant(string Nonce, string Challenge, string RedirectUri, ProviderUser User);

    public sealed record ProviderUser(string Subject, string Email, bool EmailVerified = true);

    readonly WebApplication app;
    readonly TimeProvider time;
    readonly RsaSecurityKey key = new(RSA.Create(2048)) { KeyId = "test-key" };
    readonly ConcurrentDictionary<string, Grant> grants = new();
    readonly ConcurrentDictionary<string, IQueryCollection> shown = new();

    TestOidcProvider(WebApplication app, X509Certificate2 certificate, TimeProvider time)
    {
        this.app = app;
        this.time = time;
        Certificate = certificate;
    }

    public X509Certificate2 Certificate { get; }
    public string Issuer { get; private set; } = "";
    public string RedirectUri { get; set; } = "";
    public ProviderUser NextUser { get; set; } = new("subject-1", "user@example.com");
    public IdTokenFault Fault { get; set; }

    /// <summary>
    /// When set, the authorization endpoint answers with a page of its own whose button (a form posted
    /// to the provider) sends the browser back, as most providers do; otherwise it redirects at once.
    /// </summary>
    public bool ShowsPage { get; set; }

    /// <summary>The authorization endpoint the discovery document names; by default this provider's own.</summary>
    public string? AuthorizationEndpoint { get; set; }

    /// <summary>The token endpoint the discovery document names; by default this provider's own.</summary>
    public string? TokenEndpoint { get; set; }

    /// <summary>Follows no redirect and trusts only this provider's certificate: the browser's side of the provider.</summary>
    public HttpClient Client { get; private set; } = null!;

    public static async Task<TestOidcProvider> StartAsync(TimeProvider time)
    {
        var certificate = SelfSigned();
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, 0, l => l.UseHttps(certificate)));
        var app = builder.Build();
        var provider = new TestOidcProvider(app, certificate, time);
        provider.Map();
        await app.StartAsync();
        provider.Issuer = app.Urls.Single().TrimEnd('/');
        provider.Client = new HttpClient(new SocketsHttpHandler { AllowAutoRedirect = false, SslOptions = { RemoteCertificateValidationCallback = provider.Trusts } });
        return provider;
    }

    /// <summary>Accepts exactly this provider's certificate (what Contacto's SSO client is given in the tests).</summary>
    public bool Trusts(object sender, X509Certificate? certificate, X509Chain? chain, System.Net.Security.SslPolicyErrors errors) =>
        certificate is not null && certificate.GetCertHashString() == Certificate.GetCertHashString();

    void Map()
    {
        app.MapGet("/.well-known/openid-configuration", () => Results.Json(new Dictionary<string, object>
        {
            ["issuer"] = Issuer,
            ["authorization_endpoint"] = AuthorizationEndpoint ?? Issuer + "/authorize",
            ["token_endpoint"] = TokenEndpoint ?? Issuer + "/token",
            ["jwks_uri"] = Issuer + "/jwks",
            ["response_types_supported"] = new[] { "code" },
            ["subject_types_supported"] = new[] { "public" },
            ["id_token_signing_alg_values_supported"] = new[] { "RS256" },
            ["code_challenge_methods_supported"] = new[] { "S256" },
        }));
        app.MapGet("/jwks", () =>
        {
            var jwk = JsonWebKeyConverter.ConvertFromRSASecurityKey(new RsaSecurityKey(key.Rsa.ExportParameters(false)) { KeyId = key.KeyId });
            return Results.Json(new { keys = new[] { new { kty = jwk.Kty, kid = jwk.Kid, use = "sig", alg = "RS256", n = jwk.N, e = jwk.E } } });
        });
        app.MapGet("/authorize", (HttpRequest request) =>
        {
            var q = request.Query;
            if (q["client_id"] != ClientId || q["redirect_uri"] != RedirectUri || q["response_type"] != "code" || q["code_challenge_method"] != "S256"
                || string.IsNullOrEmpty(q["code_challenge"]) || string.IsNullOrEmpty(q["nonce"]) || !q["scope"].ToString().Split(' ').Contains("openid"))
                return Results.BadRequest("invalid_request");
            if (!ShowsPage)
                return Results.Redirect(SignIn(q));
            var shownId = Base64UrlEncoder.Encode(RandomNumberGenerator.GetBytes(16));
            shown[shownId] = q;
            return Results.Content($"""
                <!doctype html><html lang="en"><head><title>Test provider</title><link rel="icon" href="data:,"></head>
                <body><form method="post" action="/authorize/approve"><input type="hidden" name="request" value="{shownId}">
                <button type="submit">Continue as {WebUtility.HtmlEncode(NextUser.Subject)}</button></form></body></html>
                """, "text/html; charset=utf-8");
        });
        app.MapPost("/authorize/approve", async (HttpRequest request) =>
            shown.TryRemove((await request.ReadFormAsync())["request"].ToString(), out var q) ? Results.Redirect(SignIn(q)) : Results.BadRequest("invalid_request"));
        app.MapPost("/token", async (HttpRequest request) =>
        {
            var form = await request.ReadFormAsync();
            var expected = "Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes($"{ClientId}:{Uri.EscapeDataString(ClientSecret)}"));
            if (request.Headers.Authorization != expected)
                return Results.Json(new { error = "invalid_client" }, statusCode: 401);
            if (form["grant_type"] != "authorization_code" || !grants.TryRemove(form["code"].ToString(), out var grant) || form["redirect_uri"] != grant.RedirectUri
                || Base64UrlEncoder.Encode(SHA256.HashData(Encoding.ASCII.GetBytes(form["code_verifier"].ToString()))) != grant.Challenge)
                return Results.Json(new { error = "invalid_grant" }, statusCode: 400);
            return Results.Json(new { access_token = "unused", token_type = "Bearer", id_token = IdToken(grant) });
        });
    }

    /// <summary>Signs in <see cref="NextUser"/>: a code for the request, and the address that brings the browser back with it.</summary>
    string SignIn(IQueryCollection q)
    {
        var code = Base64UrlEncoder.Encode(RandomNumberGenerator.GetBytes(24));
        grants[code] = new Grant(q["nonce"]!, q["code_challenge"]!, RedirectUri, NextUser);
        return $"{RedirectUri}?code={code}&state={Uri.EscapeDataString(q["state"].ToString())}";
    }

    string IdToken(Grant grant)
    {
        var now = time.GetUtcNow().UtcDateTime;
        var signingKey = Fault == IdTokenFault.ForeignKey ? new RsaSecurityKey(RSA.Create(2048)) { KeyId = key.KeyId } : key;
        return new JsonWebTokenHandler { SetDefaultTimesOnTokenCreation = false }.CreateToken(new SecurityTokenDescriptor
        {
            Issuer = Fault == IdTokenFault.WrongIssuer ? Issuer + "/other" : Issuer,
            Audience = Fault == IdTokenFault.WrongAudience ? "another-client" : ClientId,
            IssuedAt = now,
            NotBefore = now,
            Expires = Fault == IdTokenFault.Expired ? now - TimeSpan.FromMinutes(5) : now + TimeSpan.FromMinutes(5),
            Claims = new Dictionary<string, object>
            {
                ["sub"] = grant.User.Subject,
                ["nonce"] = Fault == IdTokenFault.WrongNonce ? "a-nonce-from-another-sign-in" : grant.Nonce,
                ["email"] = grant.User.Email,
                ["email_verified"] = grant.User.EmailVerified,
            },
            SigningCredentials = new SigningCredentials(signingKey, SecurityAlgorithms.RsaSha256),
        });
    }

    static X509Certificate2 SelfSigned()
    {
        using var rsa = RSA.Create(2048);
        var request = new CertificateRequest("CN=test OpenID provider", rsa, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        var names = new SubjectAlternativeNameBuilder();
        names.AddIpAddress(IPAddress.Loopback);
        request.CertificateExtensions.Add(names.Build());
        using var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(1));
        return X509CertificateLoader.LoadPkcs12(certificate.Export(X509ContentType.Pfx), null);
    }

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await app.StopAsync();
        await app.DisposeAsync();
        Certificate.Dispose();
        key.Rsa.Dispose();
    }
}
