using System.Net;
using Microsoft.AspNetCore.HttpOverrides;
using Microsoft.Extensions.Options;

namespace Contacto.Server;

/// <summary>Section <c>Listen</c>: the two HTTPS planes. Both always speak TLS.</summary>
public sealed class ListenerOptions
{
    public const string Section = "Listen";

    public string Public { get; set; } = "https://0.0.0.0:5001";

    /// <summary>Health, metrics and staff; loopback unless <see cref="AllowRemoteOps"/>.</summary>
    public string Ops { get; set; } = "https://127.0.0.1:5002";

    /// <summary>Lets the ops plane bind a non-loopback address (a private management network).</summary>
    public bool AllowRemoteOps { get; set; }

    public long MaxRequestBodyBytes { get; set; } = 1024 * 1024;

    /// <summary>Connections one client source (an IPv4 address, an IPv6 /64) may hold open at once on each plane; the proxies named below are not counted.</summary>
    public int MaxConnectionsPerSource { get; set; } = 256;

    /// <summary>In-flight requests get this long to finish after SIGTERM.</summary>
    public int DrainSeconds { get; set; } = 30;

    /// <summary>
    /// Addresses of the load balancers or reverse proxies in front of the server. Only a request
    /// that arrives from one of them (or from <see cref="KnownNetworks"/>) has its client address
    /// taken from <c>X-Forwarded-For</c>; from anyone else the header is ignored. Empty: none.
    /// </summary>
    public List<string> KnownProxies { get; set; } = [];

    /// <summary>Networks (CIDR, <c>10.0.0.0/24</c>) whose every address is a trusted proxy.</summary>
    public List<string> KnownNetworks { get; set; } = [];

    /// <summary>Whether <paramref name="address"/> is a configured proxy, whose connections carry many clients.</summary>
    internal bool IsKnownProxy(IPAddress address)
    {
        if (address.IsIPv4MappedToIPv6)
            address = address.MapToIPv4();
        return KnownProxies.Any(p => IPAddress.Parse(p).Equals(address))
               || KnownNetworks.Any(n => System.Net.IPNetwork.Parse(n).Contains(address));
    }

    /// <summary>X-Forwarded-For is read only from the configured proxies, walking back through them to the first address that is not one.</summary>
    internal void Configure(ForwardedHeadersOptions forwarded)
    {
        forwarded.KnownProxies.Clear();
        forwarded.KnownIPNetworks.Clear(); // ASP.NET Core trusts loopback by default
        foreach (var proxy in KnownProxies)
            forwarded.KnownProxies.Add(IPAddress.Parse(proxy));
        foreach (var network in KnownNetworks)
            forwarded.KnownIPNetworks.Add(System.Net.IPNetwork.Parse(network));
        // With no proxy known the middleware would trust everyone: it reads nothing instead.
        forwarded.ForwardedHeaders = KnownProxies.Count + KnownNetworks.Count > 0 ? ForwardedHeaders.XForwardedFor : ForwardedHeaders.None;
        forwarded.ForwardLimit = null;
    }
}

/// <summary>A listener address as Kestrel needs it: null address means both loopbacks ("localhost").</summary>
public sealed record ListenerEndpoint(IPAddress? Address, int Port)
{
    public bool IsLoopbackOnly => Address is null || IPAddress.IsLoopback(Address);

    public static bool TryParse(string url, out ListenerEndpoint endpoint, out string problem)
    {
        endpoint = new ListenerEndpoint(null, 0);
        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || uri.AbsolutePath != "/" || uri.Query.Length > 0)
        {
            problem = $"'{url}' is not an address of the form https://HOST:PORT";
            return false;
        }
        if (uri.Scheme != Uri.UriSchemeHttps)
        {
            problem = $"'{url}' must use https: nothing is served in clear text";
            return false;
        }
        var host = uri.Host.Trim('[', ']');
        IPAddress? address;
        if (host is "localhost")
            address = null;
        else if (host is "*" or "+")
            address = IPAddress.Any;
        else if (!IPAddress.TryParse(host, out address))
        {
            problem = $"'{url}': the host must be an IP address, '*' or 'localhost'";
            return false;
        }
        endpoint = new ListenerEndpoint(address, uri.Port);
        problem = "";
        return true;
    }
}

sealed class ListenerOptionsValidator : IValidateOptions<ListenerOptions>
{
    public ValidateOptionsResult Validate(string? name, ListenerOptions o)
    {
        var errors = new List<string>();
        var publicOk = ListenerEndpoint.TryParse(o.Public, out var publicEndpoint, out var problem);
        if (!publicOk)
            errors.Add($"Listen:Public: {problem}");
        var opsOk = ListenerEndpoint.TryParse(o.Ops, out var opsEndpoint, out problem);
        if (!opsOk)
            errors.Add($"Listen:Ops: {problem}");
        if (opsOk && !opsEndpoint.IsLoopbackOnly && !o.AllowRemoteOps)
            errors.Add($"Listen:Ops: '{o.Ops}' is not a loopback address; set Listen:AllowRemoteOps=true to expose the ops plane on purpose");
        if (publicOk && opsOk && publicEndpoint.Port != 0 && publicEndpoint.Port == opsEndpoint.Port)
            errors.Add($"Listen:Ops: must use another port than Listen:Public ({publicEndpoint.Port})");
        if (o.MaxRequestBodyBytes is < 1024 or > 100 * 1024 * 1024)
            errors.Add($"Listen:MaxRequestBodyBytes: must be between 1024 and 104857600 (got {o.MaxRequestBodyBytes})");
        if (o.MaxConnectionsPerSource is < 1 or > 100_000)
            errors.Add($"Listen:MaxConnectionsPerSource: must be between 1 and 100000 (got {o.MaxConnectionsPerSource})");
        if (o.DrainSeconds is < 0 or > 600)
            errors.Add($"Listen:DrainSeconds: must be between 0 and 600 (got {o.DrainSeconds})");
        foreach (var proxy in o.KnownProxies.Where(p => !IPAddress.TryParse(p, out _)))
            errors.Add($"Listen:KnownProxies: '{proxy}' is not an IP address");
        foreach (var network in o.KnownNetworks.Where(n => !System.Net.IPNetwork.TryParse(n, out _)))
            errors.Add($"Listen:KnownNetworks: '{network}' is not a network in CIDR form (10.0.0.0/24)");
        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
