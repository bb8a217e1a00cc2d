using Contacto.Sip.Dialogs;
using Contacto.Sip.Messages;
using Contacto.Sip.Transport;

namespace Contacto.Sip.Tests.Dialogs;

/// <summary>RFC 3261 12.2.1.1: where a request inside a dialog goes.</summary>
public sealed class DialogRoutingTests
{
    [Fact]
    public void WithoutARouteSetTheRemoteTargetIsBothRequestUriAndNextHop()
    {
        var (uri, routes, hop) = Dialog().Routing();

        Assert.Equal("sip:bob@192.0.2.4:5070", uri.ToString());
        Assert.Empty(routes);
        Assert.Equal(uri, hop);
    }

    [Fact]
    public void ALooseFirstHopKeepsTheRemoteTargetAsRequestUri()
    {
        var (uri, routes, hop) = Dialog("<sip:p1.example.com;lr>", "<sip:p2.example.com;lr>").Routing();

        Assert.Equal("sip:bob@192.0.2.4:5070", uri.ToString());
        Assert.Equal(["<sip:p1.example.com;lr>", "<sip:p2.example.com;lr>"], routes);
        Assert.Equal("p1.example.com", hop.Host);
    }

    [Fact]
    public void AStrictFirstHopBecomesTheRequestUriAndTheRemoteTargetGoesLast()
    {
        var (uri, routes, hop) = Dialog("<sip:p1.example.com;maddr=192.0.2.9>", "<sip:p2.example.com;lr>").Routing();

        Assert.Equal("sip:p1.example.com", uri.ToString());
        Assert.Equal(["<sip:p2.example.com;lr>", "<sip:bob@192.0.2.4:5070>"], routes);
        Assert.Equal("192.0.2.9", hop.MAddrOrHost());
    }

    private static SipDialog Dialog(params string[] routes) => new(
        new SipUserAgent(new SipTransportLayer(new SipTransportOptions())), isCaller: true, "c@h",
        SipNameAddress.Parse("<sip:alice@example.com>;tag=a"), SipNameAddress.Parse("<sip:bob@example.com>;tag=b"),
        SipUri.Parse("sip:bob@192.0.2.4:5070"), [.. routes.Select(r => SipNameAddress.Parse(r))], 1, null, null, null);
}

internal static class UriTestExtensions
{
    public static string MAddrOrHost(this SipUri uri) => uri.Parameters["maddr"] ?? uri.Host;
}
