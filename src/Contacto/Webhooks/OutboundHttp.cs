using System.Net.Security;
using Contacto.Tls;
using Microsoft.Extensions.DependencyInjection;

namespace Contacto.Webhooks;

/// <summary>
/// How the platform makes every outbound HTTP client (callbacks, paging, the console's OpenID
/// Connect client, the recordings' object store): TLS 1.2 or 1.3 only, whatever the system's TLS
/// library would allow; no proxy from the environment, no cookies, and no automatic redirects. A
/// client that follows redirects does it by hand and never from https to http
/// (<see cref="IsDowngrade"/>). Connections to addresses customers name go only where
/// <see cref="OutboundUrlPolicy"/> allows, pinned to the address it checked.
/// </summary>
internal static class OutboundHttp
{
    /// <summary>For addresses customers name (callbacks, paging targets, an SSO issuer): connections only where <paramref name="policy"/> allows, pinned.</summary>
    public static SocketsHttpHandler CreateHandler(TimeSpan connectTimeout, OutboundUrlPolicy policy)
    {
        var handler = CreateOperatorHandler(connectTimeout);
        handler.ConnectCallback = policy.ConnectAsync;
        return handler;
    }

    /// <summary>
    /// For an endpoint only the operator configures (the recordings' object store), which may sit on
    /// a private network the URL policy rightly refuses to customers: the same TLS, proxy, cookie and
    /// redirect rules, to any address.
    /// </summary>
    public static SocketsHttpHandler CreateOperatorHandler(TimeSpan connectTimeout) => new()
    {
        AllowAutoRedirect = false,
        UseProxy = false,
        UseCookies = false,
        ConnectTimeout = connectTimeout,
        PooledConnectionLifetime = TimeSpan.FromMinutes(2),
        SslOptions = new SslClientAuthenticationOptions { EnabledSslProtocols = TlsPolicy.Protocols },
    };

    /// <summary>For a named client of <c>IHttpClientFactory</c>: its primary handler is one of these.</summary>
    public static IHttpClientBuilder UseOutboundHandler(this IHttpClientBuilder builder, TimeSpan connectTimeout) =>
        builder.ConfigurePrimaryHttpMessageHandler(services => CreateHandler(connectTimeout, services.GetRequiredService<OutboundUrlPolicy>()));

    /// <summary>True when following a redirect from <paramref name="from"/> to <paramref name="to"/> would leave TLS.</summary>
    static bool IsDowngrade(Uri from, Uri to) =>
        from.Scheme == Uri.UriSchemeHttps && to.Scheme != Uri.UriSchemeHttps;

    /// <summary>
    /// For clients that follow redirects by hand: where a redirect answer to a request for
    /// <paramref name="from"/> leads (<paramref name="next"/>), or why it is not followed (the
    /// returned problem: too many hops, or https to http). Neither: the answer is not a redirect.
    /// </summary>
    public static string? FollowRedirect(Uri from, HttpResponseMessage response, int hop, int maxRedirects, out Uri? next)
    {
        next = null;
        if ((int)response.StatusCode is not (301 or 302 or 303 or 307 or 308) || response.Headers.Location is not { } location)
            return null;
        if (hop >= maxRedirects)
            return "too many redirects";
        var target = new Uri(from, location);
        if (IsDowngrade(from, target))
            return "refused: a redirect from https to http";
        next = target;
        return null;
    }
}
