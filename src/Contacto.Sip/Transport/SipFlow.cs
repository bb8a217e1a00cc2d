using System.Net;

namespace Contacto.Sip.Transport;

/// <summary>
/// Where a message came from: the transport, the peer's address and, on TCP and TLS, the
/// connection, so that the answer goes back on it (RFC 3261 18.2.2).
/// </summary>
public sealed class SipFlow
{
    internal SipFlow(string transport, IPEndPoint remote, IPEndPoint local, SipConnection? connection = null)
    {
        Transport = transport;
        Remote = remote;
        Local = local;
        Connection = connection;
    }

    public string Transport { get; }

    /// <summary>The peer's address and port as the socket saw them (not what its Via claims).</summary>
    public IPEndPoint Remote { get; }

    public IPEndPoint Local { get; }

    internal SipConnection? Connection { get; }

    public override string ToString() => $"{Transport} {Remote}";
}

/// <summary>A message as received, with its flow.</summary>
public sealed record SipReceived(Messages.SipMessage Message, SipFlow Flow);

/// <summary>Where to send a request: a transport and an address; the host name is what TLS checks.</summary>
public sealed record SipTarget(string Transport, IPEndPoint EndPoint, string? HostName = null)
{
    /// <summary>A connection to send on while it is open (the flow a dialog came on), whatever the address.</summary>
    public SipFlow? Flow { get; init; }

    /// <summary>
    /// The target of a URI (RFC 3263 without NAPTR and SRV): its transport parameter (sips: TLS,
    /// else <paramref name="defaultTransport"/>), its port or the transport's default, its host
    /// resolved to an address.
    /// </summary>
    public static async Task<SipTarget> ResolveAsync(Messages.SipUri uri, string defaultTransport = SipTransports.Udp, CancellationToken cancellationToken = default)
    {
        if (!uri.IsSip)
        {
            throw new ArgumentException("Only sip and sips URIs can be sent to.", nameof(uri));
        }
        var transport = uri.IsSecure ? SipTransports.Tls : SipTransports.Normalize(uri.Transport) ?? defaultTransport;
        var host = uri.Host.Trim('[', ']');
        var port = uri.Port ?? SipTransports.DefaultPort(transport);
        if (IPAddress.TryParse(host, out var address))
        {
            return new SipTarget(transport, new IPEndPoint(address, port), host);
        }
        var addresses = await Dns.GetHostAddressesAsync(host, cancellationToken).ConfigureAwait(false);
        if (addresses.Length == 0)
        {
            throw new SipTransportException($"No address for {host}.");
        }
        return new SipTarget(transport, new IPEndPoint(addresses[0], port), host);
    }

    public override string ToString() => $"{Transport} {EndPoint}";
}

/// <summary>A message could not be sent: no connection, a refused or closed one, a socket error.</summary>
public sealed class SipTransportException(string message, Exception? inner = null) : IOException(message, inner);
