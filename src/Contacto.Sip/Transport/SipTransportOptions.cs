using System.Net;
using System.Net.Security;

namespace Contacto.Sip.Transport;

/// <summary>The listeners of one SIP endpoint and how its connections behave.</summary>
public sealed record SipTransportOptions
{
    /// <summary>UDP listener; null: none. Port 0 takes a free port.</summary>
    public IPEndPoint? Udp { get; init; }

    /// <summary>TCP listener; null: none. TCP connections to others are opened all the same.</summary>
    public IPEndPoint? Tcp { get; init; }

    /// <summary>TLS listener (needs <see cref="TlsServer"/>); null: none.</summary>
    public IPEndPoint? Tls { get; init; }

    /// <summary>The certificate and settings the TLS listener uses. Protocols below TLS 1.2 are never allowed.</summary>
    public SslServerAuthenticationOptions? TlsServer { get; init; }

    /// <summary>Checks the peer's certificate on TLS connections this endpoint opens; null: the system's check against the host name.</summary>
    public RemoteCertificateValidationCallback? TlsClientValidation { get; init; }

    /// <summary>
    /// The options of a TLS connection this endpoint opens to a target (its trusted CAs, cipher
    /// suites); null: the system's check against the target's host name. Protocols below TLS 1.2
    /// are never allowed, whatever these say.
    /// </summary>
    public Func<SipTarget, SslClientAuthenticationOptions>? TlsClient { get; init; }

    /// <summary>The host written in Via and Contact; null: the address a listener is bound to.</summary>
    public string? AdvertisedHost { get; init; }

    public Messages.SipLimits Limits { get; init; } = Messages.SipLimits.Default;

    /// <summary>A connection with no traffic for this long is closed.</summary>
    public TimeSpan ConnectionIdleTimeout { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>Connections open at once, both directions; more are refused.</summary>
    public int MaxConnections { get; init; } = 1024;

    /// <summary>How long opening a TCP or TLS connection (handshake included) may take.</summary>
    public TimeSpan ConnectTimeout { get; init; } = TimeSpan.FromSeconds(5);
}
