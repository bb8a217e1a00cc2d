using System.Net;
using System.Net.Sockets;

namespace Contacto.Platform;

/// <summary>
/// The source a client address counts as, for throttling and for tallies of failures: an IPv4
/// address (IPv4-mapped ones too) by itself, an IPv6 address by its /64, the block one subscriber
/// line or host usually holds, so that walking through it gains nothing.
/// </summary>
internal static class ClientSource
{
    /// <summary>Where the address is unknown: one source of its own.</summary>
    static readonly IPNetwork Unknown = new(IPAddress.IPv6None, 128);

    public static IPNetwork Of(IPAddress? address)
    {
        if (address is null)
            return Unknown;
        if (address.IsIPv4MappedToIPv6)
            address = address.MapToIPv4();
        if (address.AddressFamily == AddressFamily.InterNetwork)
            return new IPNetwork(address, 32);
        Span<byte> bytes = stackalloc byte[16];
        address.TryWriteBytes(bytes, out _);
        bytes[8..].Clear();
        return new IPNetwork(new IPAddress(bytes), 64);
    }

    /// <summary>As records show it: <c>203.0.113.7</c>, <c>2001:db8:1:2::/64</c>, or null when unknown.</summary>
    public static string? Describe(IPNetwork source) =>
        source == Unknown ? null : source.PrefixLength == 32 ? source.BaseAddress.ToString() : source.ToString();
}
