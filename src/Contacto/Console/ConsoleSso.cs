using System.Collections.Concurrent;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Contacto.Accounts;
using Contacto.Audit;
using Contacto.Crypto;
using Contacto.Storage;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.Http;
using Microsoft.EntityFrameworkCore;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Protocols;
using Microsoft.IdentityModel.Protocols.OpenIdConnect;
using Microsoft.IdentityModel.Tokens;

namespace Contacto.Console;

/// <summary>
/// Console sign-in through an account's OpenID Connect provider: authorization code with PKCE
/// (S256), state and nonce kept in a short-lived protected cookie, the code exchanged with the
/// client secret, and the ID token validated in full (signature by the provider's published keys,
/// issuer, audience, nonce, expiry). Users are found by (issuer, subject). An identity the account
/// does not know yet is linked only by a flow that an invitation started (it creates the invited user,
/// once) or that a signed-in user started for themselves right after re-authenticating with password
/// and second factor; the provider's e-mail address, verified or not, never links anyone (a tenant
/// admin who runs the provider could otherwise take over any user). Contacto's second factor follows.
/// Discovery, keys and the token endpoint are reached over https only, through the outbound URL
/// policy (checked and pinned addresses, no redirects), each answer within 10 s and
/// <see cref="MaxResponseBytes"/>: a tenant's provider settings never reach internal services.
/// </summary>
internal sealed class ConsoleSso(
    ContactoDbContextFactory contexts,
    AccountService accounts,
    ConsoleUsers users,
    ITenantCrypto crypto,
    IHttpClientFactory clients,
    IDataProtectionProvider protection,
    IAuditTrail audit,
    TimeProvider time)
{
    public const string ClientName = "console-sso";
    public const string CallbackPath = "/console/sso/callback";

    /// <summary>Where the callback's page sends the browser on, same-site, to finish the flow (<see cref="ConsolePages.SsoCallback"/>).</summary>
    public const string FinishPath = "/console/sso/finish";

    /// <summary>Discovery documents, key sets and token answers are small; anything larger is refused unread.</summary>
    public const int MaxResponseBytes = 256 * 1024;
    const string SecretPurpose = "console_sso.client_secret";
    const string StateCookie = "__Host-contacto-sso";
    static readonly TimeSpan FlowLifetime = TimeSpan.FromMinutes(10);
    static readonly TimeSpan ClockSkew = TimeSpan.FromMinutes(1);

    readonly IDataProtector protector = protection.CreateProtector("Contacto.Console.Sso.State");
    readonly ConcurrentDictionary<string, ConfigurationManager<OpenIdConnectConfiguration>> providers = new(StringComparer.Ordinal);

    /// <summary>
    /// What a flow may link besides signing in a known identity: the user an invitation creates, or
    /// the signed-in user who asked for it for themselves. Carried in the protected flow state only.
    /// </summary>
    public sealed record Linking(Guid? InvitationId, Guid? UserId)
    {
        public static Linking Invitation(Guid id) => new(id, null);
        public static Linking Self(Guid userId) => new(null, userId);
    }

    /// <summary>What a completed flow found: the user, or why there is none (never a token); <paramref name="LinkedSelf"/> when a signed-in user linked their own identity.</summary>
    public sealed record Outcome(ConsoleUser? User, Guid? AccountId, string? Failure, string ReturnUrl, bool LinkedSelf = false, bool Joined = false);

    sealed record FlowState(string AuthId, string State, string Nonce, string Verifier, string ReturnUrl, long ExpiresAt, Linking? Linking);

    public async Task<ConsoleSsoSettings?> FindAsync(Guid accountId, CancellationToken cancellationToken)
    {
        await using var db = contexts.CreateForAccount(accountId);
        return await db.Set<ConsoleSsoSettings>().AsNoTracking().SingleOrDefaultAsync(cancellationToken);
    }

    public async Task<bool> RequiredForAsync(Guid accountId, CancellationToken cancellationToken) =>
        (await FindAsync(accountId, cancellationToken))?.Required == true;

    /// <summary>Saves the account's provider; a null secret keeps the stored one.</summary>
    public async Task SaveAsync(Guid accountId, string issuer, string clientId, string? clientSecret, bool required, AuditActor actor, CancellationToken cancellationToken)
    {
        var sealedSecret = clientSecret is null ? null
            : await crypto.SealAsync(accountId, SecretPurpose, accountId, Encoding.UTF8.GetBytes(clientSecret), cancellationToken);
        await using var db = contexts.CreateForAccount(accountId);
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        var settings = await db.Set<ConsoleSsoSettings>().SingleOrDefaultAsync(cancellationToken);
        if (settings is null)
        {
            if (sealedSecret is null)
                throw new ArgumentException("A client secret is needed", nameof(clientSecret));
            settings = new ConsoleSsoSettings { AccountId = accountId };
            db.Add(settings);
        }
        settings.Issuer = issuer;
        settings.ClientId = clientId;
        settings.ClientSecretSealed = sealedSecret ?? settings.ClientSecretSealed;
        settings.Required = required;
        settings.ModifiedAt = time.GetUtcNow();
        await audit.AppendAsync(db, new AuditEntry(accountId, actor, AuditActions.ConsoleSsoUpdated, "console_sso", issuer,
            Reason: required ? "SSO required" : "SSO optional"), cancellationToken);
        await db.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
    }

    /// <summary>The SSO settings of the enabled main account <paramref name="authId"/> names, if it has them.</summary>
    public async Task<ConsoleSsoSettings?> FindAsync(string authId, CancellationToken cancellationToken) =>
        await accounts.FindAsync(authId, cancellationToken) is { ParentId: null, Enabled: true } account ? await FindAsync(account.Id, cancellationToken) : null;

    /// <summary>
    /// The origin of the provider's sign-in page, as a CSP source: a page whose form starts this
    /// flow must allow it in <c>form-action</c>, which governs the redirect that answers the form too.
    /// </summary>
    public async Task<string> FormTargetAsync(ConsoleSsoSettings settings, CancellationToken cancellationToken) =>
        AuthorizationOrigin(await ProviderAsync(settings.Issuer, cancellationToken));

    /// <summary>
    /// The authorization endpoint's https origin. It comes from the tenant's provider and goes into a
    /// response header, so only a plain host name or IPv4 address passes; anything else is refused.
    /// </summary>
    static string AuthorizationOrigin(OpenIdConnectConfiguration provider) =>
        Uri.TryCreate(provider.AuthorizationEndpoint, UriKind.Absolute, out var endpoint) && endpoint.Scheme == Uri.UriSchemeHttps
        && endpoint.HostNameType is UriHostNameType.Dns or UriHostNameType.IPv4 && endpoint.IdnHost.All(c => char.IsAsciiLetterOrDigit(c) || c is '.' or '-')
            ? $"https://{endpoint.IdnHost}{(endpoint.IsDefaultPort ? "" : $":{endpoint.Port}")}"
            : throw new InvalidOperationException("The provider's authorization endpoint is not a plain https address");

    /// <summary>The provider's authorization address for this account, with the flow's state in a cookie; null when the account has no SSO.</summary>
    public async Task<string?> StartAsync(HttpContext context, string authId, string returnUrl, Linking? linking, CancellationToken cancellationToken)
    {
        if (await FindAsync(authId, cancellationToken) is not { } settings)
            return null;
        var provider = await ProviderAsync(settings.Issuer, cancellationToken);
        AuthorizationOrigin(provider);
        var flow = new FlowState(authId, ConsoleText.NewSecretToken(), ConsoleText.NewSecretToken(), ConsoleText.NewSecretToken(), returnUrl,
            (time.GetUtcNow() + FlowLifetime).ToUnixTimeSeconds(), linking);
        context.Response.Cookies.Append(StateCookie, protector.Protect(JsonSerializer.Serialize(flow)), new CookieOptions
        {
            Secure = true,
            HttpOnly = true,
            SameSite = SameSiteMode.Lax, // the provider sends the browser back with a cross-site top-level GET
            Path = "/",
            MaxAge = FlowLifetime,
        });
        var query = new Dictionary<string, string>
        {
            ["response_type"] = "code",
            ["client_id"] = settings.ClientId,
            ["redirect_uri"] = RedirectUri(context),
            ["scope"] = "openid email",
            ["state"] = flow.State,
            ["nonce"] = flow.Nonce,
            ["code_challenge"] = Base64UrlEncoder.Encode(SHA256.HashData(Encoding.ASCII.GetBytes(flow.Verifier))),
            ["code_challenge_method"] = "S256",
        };
        return provider.AuthorizationEndpoint + (provider.AuthorizationEndpoint.Contains('?') ? "&" : "?")
               + string.Join("&", query.Select(p => $"{p.Key}={Uri.EscapeDataString(p.Value)}"));
    }

    /// <summary>Where the provider must send the browser back; register it with the provider.</summary>
    public static string RedirectUri(HttpContext context) => $"https://{context.Request.Host}{CallbackPath}";

    /// <summary>
    /// Finishes the flow the callback request carries; the state cookie is spent either way.
    /// <paramref name="reauthenticatedUserId"/> is the user whose signed-in session in this browser
    /// re-authenticated recently, if any: only they can finish a flow that links themselves.
    /// </summary>
    public async Task<Outcome> CompleteAsync(HttpContext context, Guid? reauthenticatedUserId, AuditActor actor, CancellationToken cancellationToken)
    {
        var flow = ReadFlow(context);
        context.Response.Cookies.Delete(StateCookie, new CookieOptions { Secure = true, HttpOnly = true, SameSite = SameSiteMode.Lax, Path = "/" });
        var query = context.Request.Query;
        if (flow is null || flow.ExpiresAt < time.GetUtcNow().ToUnixTimeSeconds())
            return Failed(null, "no sign-in in progress, or it expired");
        if (!CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(query["state"].ToString()), Encoding.UTF8.GetBytes(flow.State)))
            return Failed(null, "state does not match");
        var account = await accounts.FindAsync(flow.AuthId, cancellationToken);
        if (account is not { Enabled: true } || await FindAsync(account.Id, cancellationToken) is not { } settings)
            return Failed(null, "the account has no SSO");
        if (query["error"].Count > 0 || query["code"].ToString() is not { Length: > 0 and < 2048 } code)
            return Failed(account.Id, "the provider refused: " + AuditText.Clip(query["error"].ToString(), 64));

        var provider = await ProviderAsync(settings.Issuer, cancellationToken);
        var idToken = await RedeemAsync(context, provider, settings, code, flow.Verifier, cancellationToken);
        if (idToken is null)
            return Failed(account.Id, "the code was not redeemed");
        var validation = await new JsonWebTokenHandler().ValidateTokenAsync(idToken, new TokenValidationParameters
        {
            ValidIssuer = settings.Issuer,
            ValidAudience = settings.ClientId,
            IssuerSigningKeys = provider.SigningKeys,
            ValidAlgorithms = [SecurityAlgorithms.RsaSha256, SecurityAlgorithms.RsaSsaPssSha256, SecurityAlgorithms.EcdsaSha256],
            RequireSignedTokens = true,
            RequireExpirationTime = true,
            ValidateIssuerSigningKey = true,
            LifetimeValidator = (notBefore, expires, _, _) =>
            {
                var now = time.GetUtcNow().UtcDateTime;
                return expires is { } end && now < end + ClockSkew && (notBefore is not { } start || start <= now + ClockSkew);
            },
        });
        if (!validation.IsValid)
            return Failed(account.Id, "ID token refused: " + validation.Exception?.GetType().Name);
        var claims = validation.Claims;
        if (Claim(claims, "nonce") is not string nonce || !CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(nonce), Encoding.UTF8.GetBytes(flow.Nonce)))
            return Failed(account.Id, "ID token refused: nonce does not match");
        if (Claim(claims, "sub") is not string { Length: > 0 and <= 255 } subject)
            return Failed(account.Id, "ID token refused: no subject");

        var returnUrl = ConsoleText.SafeReturnUrl(flow.ReturnUrl);
        switch (flow.Linking)
        {
            case null:
                return await FindAsync(account.Id, settings.Issuer, subject, cancellationToken) is { } known
                    ? new Outcome(known, account.Id, null, returnUrl)
                    : Failed(account.Id, "no console user for this identity");
            case { InvitationId: { } invitationId }:
                var joined = await users.JoinWithSsoAsync(invitationId, account.Id, settings.Issuer, subject, actor, cancellationToken);
                return joined is null ? Failed(account.Id, "the invitation is spent, or the identity or address is taken") : new Outcome(joined, account.Id, null, returnUrl, Joined: true);
            case { UserId: { } userId } when userId == reauthenticatedUserId:
                return await LinkSelfAsync(account.Id, userId, settings.Issuer, subject, actor, cancellationToken) is { } linked
                    ? new Outcome(linked, account.Id, null, returnUrl, LinkedSelf: true)
                    : Failed(account.Id, "the user is linked already, or the identity is taken");
            default:
                return Failed(account.Id, "linking needs a fresh re-authentication of the same user");
        }
    }

    static object? Claim(IDictionary<string, object> claims, string name) => claims.TryGetValue(name, out var value) ? value : null;

    static Outcome Failed(Guid? accountId, string reason) => new(null, accountId, reason, ConsoleText.Home);

    FlowState? ReadFlow(HttpContext context)
    {
        if (!context.Request.Cookies.TryGetValue(StateCookie, out var value) || value is null)
            return null;
        try
        {
            return JsonSerializer.Deserialize<FlowState>(protector.Unprotect(value));
        }
        catch (CryptographicException)
        {
            return null;
        }
    }

    async Task<string?> RedeemAsync(HttpContext context, OpenIdConnectConfiguration provider, ConsoleSsoSettings settings, string code, string verifier, CancellationToken cancellationToken)
    {
        // The discovery document names this address: the client secret goes nowhere but https.
        if (!Uri.TryCreate(provider.TokenEndpoint, UriKind.Absolute, out var tokenEndpoint) || tokenEndpoint.Scheme != Uri.UriSchemeHttps)
            return null;
        var secret = await crypto.OpenAsync(settings.AccountId, SecretPurpose, settings.AccountId, settings.ClientSecretSealed, cancellationToken);
        using var request = new HttpRequestMessage(HttpMethod.Post, tokenEndpoint)
        {
            Content = new FormUrlEncodedContent(new Dictionary<string, string>
            {
                ["grant_type"] = "authorization_code",
                ["code"] = code,
                ["redirect_uri"] = RedirectUri(context),
                ["code_verifier"] = verifier,
            }),
        };
        // client_secret_basic: both parts form-encoded, then Base64 (RFC 6749, 2.3.1).
        request.Headers.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes(
            $"{Uri.EscapeDataString(settings.ClientId)}:{Uri.EscapeDataString(Encoding.UTF8.GetString(secret))}")));
        CryptographicOperations.ZeroMemory(secret);
        using var response = await clients.CreateClient(ClientName).SendAsync(request, cancellationToken);
        if (!response.IsSuccessStatusCode)
            return null;
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync(cancellationToken));
        return body.RootElement.TryGetProperty("id_token", out var token) && token.ValueKind == JsonValueKind.String ? token.GetString() : null;
    }

    /// <summary>The enabled user of this account the identity is linked to, if any.</summary>
    async Task<ConsoleUser?> FindAsync(Guid accountId, string issuer, string subject, CancellationToken cancellationToken)
    {
        await using var db = contexts.CreateDbContext();
        var user = await db.Set<ConsoleUser>().AsNoTracking().SingleOrDefaultAsync(u => u.SsoIssuer == issuer && u.SsoSubject == subject, cancellationToken);
        return user is { Enabled: true } && user.AccountId == accountId ? await ConsoleEmails.OpenAsync(crypto, user, cancellationToken) : null;
    }

    /// <summary>Links the provider's identity to the user who asked for it (once: a linked user is never relinked).</summary>
    async Task<ConsoleUser?> LinkSelfAsync(Guid accountId, Guid userId, string issuer, string subject, AuditActor actor, CancellationToken cancellationToken)
    {
        // Platform-wide: an identity is unique across accounts, not only within this one.
        await using var db = contexts.CreateDbContext();
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        var user = await db.Set<ConsoleUser>().SingleOrDefaultAsync(u => u.Id == userId && u.AccountId == accountId && u.Enabled && u.SsoSubject == null, cancellationToken);
        if (user is null || await db.Set<ConsoleUser>().AnyAsync(u => u.SsoIssuer == issuer && u.SsoSubject == subject, cancellationToken))
            return null;
        user.SsoIssuer = issuer;
        user.SsoSubject = subject;
        user.ModifiedAt = time.GetUtcNow();
        await audit.AppendAsync(db, new AuditEntry(accountId, actor with { Id = user.Id.ToString() }, AuditActions.ConsoleSsoLinked,
            "console_user", user.Id.ToString(), Reason: $"{issuer}, by the user after re-authentication"), cancellationToken);
        await db.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return await ConsoleEmails.OpenAsync(crypto, user, cancellationToken);
    }

    async Task<OpenIdConnectConfiguration> ProviderAsync(string issuer, CancellationToken cancellationToken)
    {
        var manager = providers.GetOrAdd(issuer, i => new ConfigurationManager<OpenIdConnectConfiguration>(
            i.TrimEnd('/') + "/.well-known/openid-configuration",
            new OpenIdConnectConfigurationRetriever(),
            new HttpDocumentRetriever(clients.CreateClient(ClientName)) { RequireHttps = true }));
        var configuration = await manager.GetConfigurationAsync(cancellationToken);
        if (configuration.Issuer != issuer)
            throw new SecurityTokenInvalidIssuerException("The provider's discovery document names another issuer");
        return configuration;
    }
}
