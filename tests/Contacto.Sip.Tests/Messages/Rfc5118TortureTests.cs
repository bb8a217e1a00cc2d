using Contacto.Sip.Messages;
using Contacto.Sip.Tests.Support;

namespace Contacto.Sip.Tests.Messages;

/// <summary>RFC 5118's IPv6 messages: all parse but the Request-URI without brackets.</summary>
public sealed class Rfc5118TortureTests
{
    [Theory]
    [InlineData("4.1-ipv6-good", "[2001:db8::10]", null)]
    [InlineData("4.3-port-ambiguous", "[2001:db8::10:5070]", null)]
    [InlineData("4.4-port-unambiguous", "[2001:db8::10]", 5070)]
    [InlineData("4.5-via-received-param-with-delim", "[2001:db8::10]", null)]
    [InlineData("4.5-via-received-param-no-delim", "[2001:db8::10]", null)]
    [InlineData("4.6-ipv6-in-sdp", "[2001:db8::10]", null)]
    [InlineData("4.8-mult-ip-in-sdp", "[2001:db8::10]", null)]
    [InlineData("4.9-ipv4-mapped-ipv6", "example.com", null)]
    [InlineData("4.10-ipv6-bug-abnf-3-colons", "[2001:db8:::192.0.2.1]", null)]
    [InlineData("4.10-ipv6-correct-abnf-2-colons", "[2001:db8::192.0.2.1]", null)]
    public void ValidMessagesParseWithTheirIPv6References(string name, string host, int? port)
    {
        var request = Parse(name);

        Assert.Equal(host, request.RequestUri.Host);
        Assert.Equal(port, request.RequestUri.Port);
        Assert.Null(SipRequestChecks.Check(request));
        Assert.Equal(request.StartLine, SipMessageParser.Parse(request.ToBytes()).Message!.StartLine);
    }

    [Fact]
    public void AnIPv6RequestUriWithoutBracketsIsRefused()
    {
        var result = SipMessageParser.Parse(Torture.Rfc5118("4.2-ipv6-bad"));

        Assert.Equal(400, result.Status);
        Assert.Equal(400, result.Response!.StatusCode);
    }

    [Fact]
    public void ViaReceivedIsTakenWithAndWithoutBrackets()
    {
        Assert.Equal("[2001:db8::9:255]", Parse("4.5-via-received-param-with-delim").TopVia!.Received);
        Assert.Equal("2001:db8::9:255", Parse("4.5-via-received-param-no-delim").TopVia!.Received);
    }

    [Fact]
    public void IPv4AndIPv6ViasMix()
    {
        var vias = Parse("4.7-mult-ip-in-header").Vias;

        Assert.Equal([("[2001:db8::9:1]", (int?)6050), ("192.0.2.1", null), ("[2001:db8::9:255]", null)], vias.Select(v => (v.Host, v.Port)));
        Assert.Equal("192.0.2.200", vias[2].Received);
    }

    [Fact]
    public void IPv4MappedAddressesAreIPv6References() =>
        Assert.Equal(["[::ffff:192.0.2.10]", "[::ffff:192.0.2.2]"], Parse("4.9-ipv4-mapped-ipv6").Vias.Select(v => v.Host));

    private static SipRequest Parse(string name)
    {
        var result = SipMessageParser.Parse(Torture.Rfc5118(name));
        Assert.True(result.IsMessage, $"{name}: {result.Error}");
        return (SipRequest)result.Message!;
    }
}
