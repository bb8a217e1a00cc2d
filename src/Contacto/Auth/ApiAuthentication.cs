using Contacto.Audit;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Encodings.Web;
using Contacto.Accounts;
using Contacto.Api;
using Contacto.Tenancy;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Contacto.Auth;

/// <summary>Options of the API's authentication scheme: HTTP Basic with an Auth ID and its Auth Token.</summary>
internal sealed class ApiAuthenticationOptions : AuthenticationSchemeOptions
{
    /// <summary>The realm a challenge names in <c>WWW-Authenticate</c>.</summary>
    public string Realm { get; set; } = "Contacto";

    /// <summary>The route value naming the account a request is for; it must be the caller's own.</summary>
    public string AuthIdRouteValue { get; set; } = "auth_id";
}

/// <summary>
/// HTTP Basic authentication for every <c>/v1/Account/{auth_id}/</c> endpoint, run by the
/// authorization middleware before the endpoint binds any parameter. The path's Auth ID must be
/// the caller's own; the account (and its parent) must be enabled. Failures are throttled
/// (<see cref="AuthThrottle"/>: a failing source is slowed, then refused; failures naming an
/// Auth ID are slowed, the right token never), counted and recorded; successes are recorded once per client and
/// <see cref="SignInRecordOptions.RecordSeconds"/> (<see cref="SignInRecords"/>). On success the
/// request's <see cref="TenantContext"/> names the caller, so the <see cref="Storage.ContactoDbContext"/>
/// a handler takes is scoped to it. A refusal is answered in the API's error shape.
/// </summary>
sealed class ApiAuthenticationHandler(
    IOptionsMonitor<ApiAuthenticationOptions> options,
    ILoggerFactory logger,
    UrlEncoder encoder,
    AccountService accounts,
    SignInRecords signIns,
    AuthThrottle throttle,
    AuthMetrics metrics,
    ISecurityEventSink events,
    TenantContext tenant,
    TimeProvider time) : AuthenticationHandler<ApiAuthenticationOptions>(options, logger, encoder)
{
    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        // As the only scheme it is also ASP.NET Core's default, which the authentication middleware
        // runs for every request: outside the account API there is nothing to authenticate.
        if (Request.RouteValues[Options.AuthIdRouteValue] is not string pathAuthId)
            return AuthenticateResult.NoResult();
        var cancellationToken = Context.RequestAborted;
        var source = Context.Connection.RemoteIpAddress;
        var presented = ParseBasic(Request.Headers.Authorization);
        if (throttle.RefusedFor(source) is { } wait)
        {
            metrics.Throttled();
            await RecordAsync(SecurityEventKind.AuthenticationThrottled, presented?.AuthId, null, "too many failures", cancellationToken);
            return Refuse(new ApiException(StatusCodes.Status429TooManyRequests, "too many failed authentication attempts", wait));
        }
        if (presented is not var (authId, token))
            return Refuse(ApiException.Unauthorized("authentication required: send HTTP Basic credentials"));

        var account = Credentials.IsAuthId(authId) ? await accounts.FindAsync(authId, cancellationToken) : null;
        if (account is null || !await accounts.VerifyTokenAsync(account, token, cancellationToken))
        {
            metrics.Failure(account is null ? "unknown_auth_id" : "wrong_token");
            await RecordAsync(SecurityEventKind.AuthenticationFailed, authId, account?.Id, account is null ? "unknown Auth ID" : "wrong token", cancellationToken);
            var delay = throttle.RecordFailure(source, authId);
            if (delay > TimeSpan.Zero)
                await Task.Delay(delay, time, cancellationToken);
            return Refuse(ApiException.Unauthorized("authentication failed"));
        }
        if (!await accounts.IsActiveAsync(account, cancellationToken))
        {
            metrics.Failure("disabled");
            await RecordAsync(SecurityEventKind.AuthenticationFailed, authId, account.Id, "account disabled", cancellationToken);
            return Refuse(ApiException.Unauthorized("account disabled"));
        }
        if (!string.Equals(pathAuthId, authId, StringComparison.Ordinal))
        {
            metrics.Failure("path_mismatch");
            await RecordAsync(SecurityEventKind.AuthenticationFailed, authId, account.Id, "Auth ID in the path is not the caller's", cancellationToken);
            return Refuse(ApiException.Unauthorized("the Auth ID in the path does not match the credentials"));
        }
        throttle.RecordSuccess(authId);
        var agent = Request.Headers.UserAgent.ToString();
        var sourceText = source?.ToString() ?? "unknown";
        if (signIns.ShouldRecord(authId, sourceText, agent))
        {
            try
            {
                await RecordAsync(SecurityEventKind.AuthenticationSucceeded, authId, account.Id, "ok", cancellationToken);
            }
            catch
            {
                signIns.NotRecorded(authId, sourceText, agent);
                throw;
            }
        }
        tenant.Set(account.Id);
        return AuthenticateResult.Success(new AuthenticationTicket(ApiCaller.Principal(account.Id, account.AuthId, account.ParentId, Scheme.Name), Scheme.Name));
    }

    /// <summary>The refusal <see cref="HandleAuthenticateAsync"/> decided, in the API's error shape; a 401 carries the Basic challenge.</summary>
    protected override async Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        var refusal = (await HandleAuthenticateOnceSafeAsync()).Failure as ApiException ?? ApiException.Unauthorized();
        if (refusal.Status == StatusCodes.Status401Unauthorized)
            Response.Headers.WWWAuthenticate = $"Basic realm=\"{Options.Realm}\", charset=\"UTF-8\"";
        await ApiErrorMiddleware.WriteAsync(Context, refusal);
    }

    static AuthenticateResult Refuse(ApiException refusal) => AuthenticateResult.Fail(refusal);

    ValueTask RecordAsync(SecurityEventKind kind, string? authId, Guid? accountId, string reason, CancellationToken cancellationToken) =>
        events.RecordAsync(new SecurityEvent(kind, authId is not null && Credentials.IsAuthId(authId) ? authId : null, accountId,
            Context.Connection.RemoteIpAddress, Request.Headers.UserAgent.ToString(), reason), cancellationToken);

    const int MaxCredentialLength = 512;

    static (string AuthId, string Token)? ParseBasic(string? header)
    {
        if (!AuthenticationHeaderValue.TryParse(header, out var value) ||
            !string.Equals(value.Scheme, "Basic", StringComparison.OrdinalIgnoreCase) || value.Parameter is not { Length: <= MaxCredentialLength })
            return null;
        Span<byte> decoded = stackalloc byte[value.Parameter.Length];
        if (!Convert.TryFromBase64String(value.Parameter, decoded, out var length))
            return null;
        var text = Encoding.UTF8.GetString(decoded[..length]);
        var colon = text.IndexOf(':');
        return colon <= 0 ? null : (text[..colon], text[(colon + 1)..]);
    }
}
