namespace Contacto.Sip.Transport;

/// <summary>The transports this library speaks, as written in Via and the transport parameter.</summary>
public static class SipTransports
{
    public const string Udp = "UDP";
    public const string Tcp = "TCP";
    public const string Tls = "TLS";

    public static bool IsReliable(string transport) => transport is Tcp or Tls;

    public static int DefaultPort(string transport) => transport == Tls ? 5061 : 5060;

    /// <summary>UDP, TCP or TLS for any spelling of them; null for others.</summary>
    public static string? Normalize(string? transport) => transport?.ToUpperInvariant() switch
    {
        Udp => Udp,
        Tcp => Tcp,
        Tls => Tls,
        _ => null,
    };
}
