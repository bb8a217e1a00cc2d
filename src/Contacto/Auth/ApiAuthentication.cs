using System.Net.Http.Headers;
using System.Text;
using Contacto.Accounts;
using Contacto.Api;
using Contacto.Tenancy;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace Contacto.Auth;

/// <summary>The account a request authenticated as.</summary>
public sealed record ApiCaller(Guid AccountId, string AuthId, Guid? ParentId)
{
    public bool IsMain => ParentId is null;
}

/// <summary>
/// HTTP Basic authentication for every <c>/v1/Account/{auth_id}/</c> endpoint, run as an endpoint
/// filter before any parameter is read. The path's Auth ID must be the caller's own; the account
/// (and its parent) must be enabled. Failures are throttled, counted and recorded; successes are
/// recorded once per client and <see cref="SignInRecordOptions.RecordSeconds"/> (<see cref="SignInRecords"/>).
/// </summary>
public sealed class ApiAuthentication(
    AccountService accounts,
    SignInRecords signIns,
    AuthThrottle throttle,
    AuthMetrics metrics,
    ISecurityEventSink events,
    TimeProvider time) : IEndpointFilter
{
    public const string AuthIdRouteValue = "auth_id";
    static readonly object CallerKey = new();

    public static ApiCaller Caller(HttpContext context) =>
        TryCaller(context) ?? throw new InvalidOperationException("The request did not authenticate");

    public static ApiCaller? TryCaller(HttpContext context) => context.Items[CallerKey] as ApiCaller;

    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext invocation, EndpointFilterDelegate next)
    {
        var context = invocation.HttpContext;
        var caller = await AuthenticateAsync(context, context.RequestAborted);
        context.Items[CallerKey] = caller;
        context.RequestServices.GetRequiredService<TenantContext>().Set(caller.AccountId);
        return await next(invocation);
    }

    async Task<ApiCaller> AuthenticateAsync(HttpContext context, CancellationToken cancellationToken)
    {
        var source = context.Connection.RemoteIpAddress?.ToString() ?? "unknown";
        var presented = ParseBasic(context.Request.Headers.Authorization);
        if (throttle.RefusedFor(source, presented?.AuthId) is { } wait)
        {
            metrics.Throttled();
            await RecordAsync(context, SecurityEventKind.AuthenticationThrottled, presented?.AuthId, null, "too many failures", cancellationToken);
            throw new ApiException(StatusCodes.Status429TooManyRequests, "too many failed authentication attempts", wait);
        }
        if (presented is not var (authId, token))
            throw Challenge(context, "authentication required: send HTTP Basic credentials");

        var account = Credentials.IsAuthId(authId) ? await accounts.FindAsync(authId, cancellationToken) : null;
        if (account is null || !await accounts.VerifyTokenAsync(account, token, cancellationToken))
        {
            metrics.Failure(account is null ? "unknown_auth_id" : "wrong_token");
            await RecordAsync(context, SecurityEventKind.AuthenticationFailed, authId, account?.Id, account is null ? "unknown Auth ID" : "wrong token", cancellationToken);
            var delay = throttle.RecordFailure(source, authId);
            if (delay > TimeSpan.Zero)
                await Task.Delay(delay, time, cancellationToken);
            throw Challenge(context, "authentication failed");
        }
        if (!await accounts.IsActiveAsync(account, cancellationToken))
        {
            metrics.Failure("disabled");
            await RecordAsync(context, SecurityEventKind.AuthenticationFailed, authId, account.Id, "account disabled", cancellationToken);
            throw Challenge(context, "account disabled");
        }
        if (!string.Equals(context.Request.RouteValues[AuthIdRouteValue] as string, authId, StringComparison.Ordinal))
        {
            metrics.Failure("path_mismatch");
            await RecordAsync(context, SecurityEventKind.AuthenticationFailed, authId, account.Id, "Auth ID in the path is not the caller's", cancellationToken);
            throw Challenge(context, "the Auth ID in the path does not match the credentials");
        }
        throttle.RecordSuccess(authId);
        var agent = context.Request.Headers.UserAgent.ToString();
        if (signIns.ShouldRecord(authId, source, agent))
        {
            try
            {
                await RecordAsync(context, SecurityEventKind.AuthenticationSucceeded, authId, account.Id, "ok", cancellationToken);
            }
            catch
            {
                signIns.NotRecorded(authId, source, agent);
                throw;
            }
        }
        return new ApiCaller(account.Id, account.AuthId, account.ParentId);
    }

    static ApiException Challenge(HttpContext context, string message)
    {
        context.Response.Headers.WWWAuthenticate = "Basic realm=\"Contacto\", charset=\"UTF-8\"";
        return ApiException.Unauthorized(message);
    }

    ValueTask RecordAsync(HttpContext context, SecurityEventKind kind, string? authId, Guid? accountId, string reason, CancellationToken cancellationToken) =>
        events.RecordAsync(new SecurityEvent(kind, authId is not null && Credentials.IsAuthId(authId) ? authId : null, accountId,
            context.Connection.RemoteIpAddress, context.Request.Headers.UserAgent.ToString(), reason), cancellationToken);

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
