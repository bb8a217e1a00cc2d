using System.Net;
using Microsoft.Extensions.Options;

namespace Contacto.Carriers.Sip;

/// <summary>
/// Section <c>Sip</c>: this node's SIP endpoint, which SIP trunks reach and are reached from. It
/// listens on UDP and TCP 5060 and TLS 5061 (the listeners' certificate) unless told otherwise.
/// </summary>
internal sealed class SipOptions
{
    public const string Section = "Sip";

    public SipListenOptions Listen { get; set; } = new();

    /// <summary>
    /// The host (name or address) written in Via and Contact, which trunks send their requests in a
    /// call to. Left out: the listening address, or 127.0.0.1 when that is every address (warned).
    /// </summary>
    public string? AdvertisedHost { get; set; }

    /// <summary>The realm of the digest challenges sent to inbound trunks.</summary>
    public string Realm { get; set; } = "contacto";

    public SipEdgeOptions Edge { get; set; } = new();

    /// <summary>The address of each listener; null where it is off.</summary>
    public (IPEndPoint? Udp, IPEndPoint? Tcp, IPEndPoint? Tls) EndPoints() =>
        (Parse(Listen.Udp), Parse(Listen.Tcp), Parse(Listen.Tls));

    static IPEndPoint? Parse(string? value) => string.IsNullOrWhiteSpace(value) ? null : IPEndPoint.Parse(value);
}

/// <summary>Section <c>Sip:Listen</c>: each listener as <c>ADDRESS:PORT</c> (port 0: any free port), empty to turn it off.</summary>
internal sealed class SipListenOptions
{
    public string Udp { get; set; } = "0.0.0.0:5060";
    public string Tcp { get; set; } = "0.0.0.0:5060";
    public string Tls { get; set; } = "0.0.0.0:5061";
}

/// <summary>
/// Section <c>Sip:Edge</c>: what a source that is no configured trunk gets. Each address may send
/// <see cref="RequestsPerSecond"/> requests (bursts of <see cref="Burst"/>), answered with a bare
/// 403; beyond that its requests are dropped unanswered. Every refusal is counted.
/// </summary>
internal sealed class SipEdgeOptions
{
    public double RequestsPerSecond { get; set; } = 1;
    public int Burst { get; set; } = 5;

    /// <summary>Sources remembered at once; the oldest are forgotten first, so a flood of addresses cannot grow memory.</summary>
    public int MaxTrackedSources { get; set; } = 100_000;
}

sealed class SipOptionsValidator : IValidateOptions<SipOptions>
{
    public ValidateOptionsResult Validate(string? name, SipOptions options)
    {
        var errors = new List<string>();
        var listen = options.Listen;
        foreach (var (key, value) in new[] { ("Udp", listen.Udp), ("Tcp", listen.Tcp), ("Tls", listen.Tls) })
        {
            if (!string.IsNullOrWhiteSpace(value) && !IsEndPoint(value))
                errors.Add($"Sip:Listen:{key}: '{value}' is not an address of the form ADDRESS:PORT (an IP address; empty turns the listener off)");
        }
        if (errors.Count == 0)
        {
            var (_, tcp, tls) = options.EndPoints();
            if (tcp is not null && tls is not null && tcp.Port != 0 && tcp.Port == tls.Port && Overlap(tcp.Address, tls.Address))
                errors.Add($"Sip:Listen:Tls: must use another port than Sip:Listen:Tcp ({tcp.Port}): both are TCP");
        }
        if (options.AdvertisedHost is { } host && (host.Length == 0 || host.Any(c => char.IsWhiteSpace(c) || c is ';' or ',' or '<' or '>' or '@' or '"')))
            errors.Add($"Sip:AdvertisedHost: '{host}' is not a host name or address");
        if (string.IsNullOrWhiteSpace(options.Realm) || options.Realm.Contains('"'))
            errors.Add("Sip:Realm: must be set, without quotes");
        var edge = options.Edge;
        if (edge.RequestsPerSecond is <= 0 or > 10_000 || edge.Burst is < 1 or > 10_000 || edge.MaxTrackedSources is < 100 or > 10_000_000)
            errors.Add("Sip:Edge: RequestsPerSecond (0 to 10000), Burst (1 to 10000) and MaxTrackedSources (100 to 10000000) must be in range");
        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }

    /// <summary>IPv4 <c>A.B.C.D:PORT</c> or IPv6 <c>[ADDRESS]:PORT</c>, the port written out.</summary>
    static bool IsEndPoint(string value)
    {
        var colon = value.LastIndexOf(':');
        if (colon <= 0 || !int.TryParse(value[(colon + 1)..], System.Globalization.NumberStyles.None, null, out var port) || port > 65535)
            return false;
        var host = value[..colon];
        var bracketed = host.StartsWith('[') && host.EndsWith(']');
        return IPAddress.TryParse(bracketed ? host[1..^1] : host, out var address)
            && (address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6) == bracketed;
    }

    static bool Overlap(IPAddress a, IPAddress b) =>
        a.Equals(b) || a.Equals(IPAddress.Any) || b.Equals(IPAddress.Any) || a.Equals(IPAddress.IPv6Any) || b.Equals(IPAddress.IPv6Any);
}
