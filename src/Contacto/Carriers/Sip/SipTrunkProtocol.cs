using System.Net;
using Contacto.Sip.Transport;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Contacto.Carriers.Sip;

/// <summary>Carriers reached as SIP trunks: calls out with failover, calls in through the node's SIP endpoint.</summary>
internal sealed class SipTrunkProtocol(SipEndpoint endpoint, IOptions<SipOptions> sipOptions, TimeProvider time, ILoggerFactory loggers) : ICarrierProtocol
{
    static readonly string[] Transports = ["udp", "tcp", "tls"];

    public string Name => SipTrunkSettings.ProtocolName;

    public IReadOnlyList<string> Products { get; } = [CarrierProducts.Voice];

    /// <summary>The transport a trunk is reached over: its setting, else TLS unless the carrier says <c>"Tls": false</c> (then UDP).</summary>
    public static string TransportOf(CarrierOptions carrier) =>
        SipTransports.Normalize(carrier.Sip.Transport) ?? (carrier.UsesTls ? SipTransports.Tls : SipTransports.Udp);

    /// <summary>A CIDR network, or an address as the network of that host alone.</summary>
    public static IPNetwork ParseNetwork(string text) =>
        text.Contains('/') ? IPNetwork.Parse(text) : HostNetwork(IPAddress.Parse(text));

    public static IPNetwork HostNetwork(IPAddress address) =>
        new(address, address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork ? 32 : 128);

    public IEnumerable<string> Validate(CarrierOptions carrier, string key)
    {
        var sip = carrier.Sip;
        key += ":Sip";
        if (sip.Transport is { } transport && !Transports.Contains(transport, StringComparer.OrdinalIgnoreCase))
            yield return $"{key}:Transport must be one of {string.Join("/", Transports)}";
        else if (sip.Transport is not null && TransportOf(carrier) == SipTransports.Tls != carrier.UsesTls)
            yield return $"{key}:Transport: {sip.Transport} goes with \"Tls\": {(TransportOf(carrier) == SipTransports.Tls ? "true (or left out)" : "false (on purpose: calls and credentials in clear)")}";
        else if (TransportOf(carrier) == SipTransports.Udp && string.IsNullOrWhiteSpace(sipOptions.Value.Listen.Udp))
            yield return $"{key}:Transport: a UDP trunk needs Sip:Listen:Udp";
        if (sip.UserName.Length > 0 != sip.Password.Length > 0 || sip.Inbound.UserName.Length > 0 != sip.Inbound.Password.Length > 0)
            yield return $"{key}: UserName and Password go together (and so do Inbound:UserName and Inbound:Password)";
        if (sip.KeepAliveMilliseconds is < 100 or > 1000 || sip.InviteTimeoutMilliseconds is < 200 or > 32000)
            yield return $"{key}: KeepAliveMilliseconds must be from 100 to 1000 and InviteTimeoutMilliseconds from 200 to 32000";
        if (sip.Domain is { } domain && !Contacto.Sip.Messages.SipUri.TryParse($"sip:{domain}", out _))
            yield return $"{key}:Domain is not a host name";
        foreach (var network in sip.Inbound.Networks)
            if (network.Contains('/') ? !IPNetwork.TryParse(network, out _) : !IPAddress.TryParse(network, out _))
                yield return $"{key}:Inbound:Networks: '{network}' is not an address or a network (192.0.2.0/24)";
    }

    public ICarrierConnection Open(CarrierOptions carrier, CarrierSinks sinks) =>
        new SipTrunkConnection(carrier, endpoint, sinks, time, loggers.CreateLogger<SipTrunkConnection>());
}
