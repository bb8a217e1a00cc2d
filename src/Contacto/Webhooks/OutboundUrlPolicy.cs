using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Options;

namespace Contacto.Webhooks;

/// <summary>
/// Decides where callbacks may go: http or https, no userinfo, and only to public addresses.
/// Loopback, private, link-local (cloud metadata), carrier-grade NAT, multicast, documentation,
/// reserved and unspecified ranges are refused in IPv4 and IPv6, including IPv4 carried inside
/// IPv6 (mapped, compatible, NAT64, 6to4), unless an operator allow-listed the network. Host
/// names are judged by every address they resolve to; numeric tricks (decimal, octal, short
/// forms) are judged after the resolver has turned them into addresses.
/// </summary>
internal sealed class OutboundUrlPolicy(IOptions<WebhookOptions> options)
{
    static readonly IPNetwork[] RefusedV4 = Networks(
        "0.0.0.0/8", "10.0.0.0/8", "100.64.0.0/10", "127.0.0.0/8", "169.254.0.0/16", "172.16.0.0/12",
        "192.0.0.0/24", "192.0.2.0/24", "192.88.99.0/24", "192.168.0.0/16", "198.18.0.0/15", "198.51.100.0/24",
        "203.0.113.0/24", "224.0.0.0/4", "240.0.0.0/4");

    static readonly IPNetwork[] RefusedV6 = Networks(
        "::/128", "::1/128", "100::/64", "2001::/23", "2001:db8::/32", "fc00::/7", "fe80::/10", "fec0::/10", "ff00::/8");

    readonly IPNetwork[] allowed = Networks(options.Value.AllowedNetworks);

    /// <summary>The reason a URL cannot be a callback, or null when its form is acceptable.</summary>
    public static string? FormProblem(string? text, out Uri? url)
    {
        url = null;
        if (string.IsNullOrWhiteSpace(text) || text.Length > 2048)
            return "must be an absolute http or https URL of at most 2048 characters";
        if (!Uri.TryCreate(text, UriKind.Absolute, out var parsed) || parsed.Scheme is not ("http" or "https"))
            return "must be an absolute http or https URL";
        if (parsed.UserInfo.Length > 0)
            return "must not carry a user name or password";
        if (parsed.Host.Length == 0)
            return "must name a host";
        url = parsed;
        return null;
    }

    public bool IsAllowed(IPAddress address)
    {
        if (allowed.Any(n => n.Contains(address) || address.IsIPv4MappedToIPv6 && n.Contains(address.MapToIPv4())))
            return true;
        return IsPublic(address);
    }

    /// <summary>True for an address on the public internet.</summary>
    public static bool IsPublic(IPAddress address)
    {
        if (address.AddressFamily == AddressFamily.InterNetwork)
            return !RefusedV4.Any(n => n.Contains(address));
        if (address.AddressFamily != AddressFamily.InterNetworkV6)
            return false;
        if (EmbeddedIPv4(address) is { } inner)
            return IsPublic(inner);
        return !RefusedV6.Any(n => n.Contains(address));
    }

    /// <summary>The IPv4 address an IPv6 address carries (mapped, compatible, NAT64, 6to4), if any.</summary>
    static IPAddress? EmbeddedIPv4(IPAddress address)
    {
        var bytes = address.GetAddressBytes();
        if (address.IsIPv4MappedToIPv6)
            return address.MapToIPv4();
        if (bytes.Take(12).All(b => b == 0))
            return new IPAddress(bytes[12..]); // ::a.b.c.d, deprecated but still routed by some stacks
        if (bytes[0] == 0x00 && bytes[1] == 0x64 && bytes[2] == 0xff && bytes[3] == 0x9b && bytes.Skip(4).Take(8).All(b => b == 0))
            return new IPAddress(bytes[12..]); // NAT64 64:ff9b::/96
        if (bytes[0] == 0x20 && bytes[1] == 0x02)
            return new IPAddress(bytes[2..6]); // 6to4 2002::/16
        return null;
    }

    const string Unresolvable = "its host does not resolve";

    /// <summary>
    /// The check when a callback URL is saved: its form, and the addresses its host has now. A host
    /// that does not resolve yet is accepted: every send checks again, and refuses it then.
    /// </summary>
    public async Task<string?> ProblemWhenSavedAsync(string url, CancellationToken cancellationToken)
    {
        if (FormProblem(url, out var parsed) is { } problem)
            return problem;
        var (_, refused) = await ResolveAsync(parsed!, cancellationToken);
        return refused is null or Unresolvable ? null : $"is not allowed: {refused}";
    }

    /// <summary>Resolves the host once; every address must be allowed. Returns them to connect to, or the refusal.</summary>
    public Task<(IPAddress[] Addresses, string? Problem)> ResolveAsync(Uri url, CancellationToken cancellationToken) =>
        ResolveAsync(url.DnsSafeHost, cancellationToken);

    /// <inheritdoc cref="ResolveAsync(Uri, CancellationToken)"/>
    public async Task<(IPAddress[] Addresses, string? Problem)> ResolveAsync(string host, CancellationToken cancellationToken)
    {
        IPAddress[] addresses;
        try
        {
            // WaitAsync: the resolver may not stop when asked, the caller's deadline does.
            addresses = IPAddress.TryParse(host, out var literal)
                ? [literal]
                : await Dns.GetHostAddressesAsync(host, cancellationToken).WaitAsync(cancellationToken);
        }
        catch (SocketException)
        {
            return ([], Unresolvable);
        }
        if (addresses.Length == 0)
            return ([], Unresolvable);
        // One refused address refuses the name: a resolver that answers differently next time must not matter.
        return addresses.All(IsAllowed)
            ? (addresses, null)
            : ([], "its host is a private, loopback, link-local or reserved address");
    }

    /// <summary>
    /// The connect step of every outbound HTTP client (<see cref="OutboundHttp"/>): resolves the host
    /// inside the request's deadline and connects only to an address the policy allows, one of
    /// exactly those it checked, so a second DNS answer cannot point it elsewhere (rebinding); a
    /// kept-alive connection was checked when it was made.
    /// </summary>
    public async ValueTask<Stream> ConnectAsync(SocketsHttpConnectionContext context, CancellationToken cancellationToken)
    {
        var (addresses, problem) = await ResolveAsync(context.DnsEndPoint.Host, cancellationToken);
        if (problem is not null)
            throw new RefusedAddressException(problem);
        Exception? last = null;
        foreach (var address in addresses)
        {
            var socket = new Socket(address.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            try
            {
                await socket.ConnectAsync(new IPEndPoint(address, context.DnsEndPoint.Port), cancellationToken);
                return new NetworkStream(socket, ownsSocket: true);
            }
            catch (SocketException e)
            {
                socket.Dispose();
                last = e;
            }
        }
        throw new HttpRequestException("Could not connect", last);
    }

    static IPNetwork[] Networks(params string[] cidrs) => [.. cidrs.Select(IPNetwork.Parse)];
}

/// <summary>The policy refused every address of the host: trying again will not help. Reaches callers as an <see cref="HttpRequestException"/>'s inner exception.</summary>
sealed class RefusedAddressException(string problem) : Exception(problem);
