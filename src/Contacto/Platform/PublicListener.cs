using System.Net;

namespace Contacto.Platform;

/// <summary>Where users reach the public plane, for links the platform hands out (console invitations, recording URLs).</summary>
internal static class PublicListener
{
    /// <summary>
    /// The address users reach the public listener (<c>Listen:Public</c>, by default
    /// <c>https://0.0.0.0:5001</c>) at: its host, or <c>localhost</c> for a listener on every
    /// address or on loopback (the name the embedded certificate covers), and its port.
    /// </summary>
    public static string Url(string? listen)
    {
        var url = new Uri(listen is { Length: > 0 } ? listen : "https://0.0.0.0:5001");
        var host = url.Host.Trim('[', ']');
        var anywhere = host is "localhost" or "*" or "+" || (IPAddress.TryParse(host, out var address)
            && (IPAddress.IsLoopback(address) || address.Equals(IPAddress.Any) || address.Equals(IPAddress.IPv6Any)));
        return new UriBuilder(Uri.UriSchemeHttps, anywhere ? "localhost" : url.Host, url.Port).Uri.GetLeftPart(UriPartial.Authority);
    }
}
