using Contacto.Sip.Messages;

namespace Contacto.Sip.Tests.Messages;

public sealed class SipUriTests
{
    // RFC 3261 19.1.4, both lists.
    [Theory]
    [InlineData("sip:%61lice@atlanta.com;transport=TCP", "sip:alice@AtLanTa.CoM;Transport=tcp")]
    [InlineData("sip:carol@chicago.com", "sip:carol@chicago.com;newparam=5")]
    [InlineData("sip:carol@chicago.com", "sip:carol@chicago.com;security=on")]
    [InlineData("sip:biloxi.com;transport=tcp;method=REGISTER?to=sip:bob%40biloxi.com", "sip:biloxi.com;method=REGISTER;transport=tcp?to=sip:bob%40biloxi.com")]
    [InlineData("sip:alice@atlanta.com?subject=project%20x&priority=urgent", "sip:alice@atlanta.com?priority=urgent&subject=project%20x")]
    [InlineData("tel:+1-201-555-0123", "tel:+12015550123")]
    public void EquivalentUris(string a, string b)
    {
        Assert.True(SipUri.Parse(a).Equivalent(SipUri.Parse(b)));
        Assert.True(SipUri.Parse(b).Equivalent(SipUri.Parse(a)));
    }

    [Theory]
    [InlineData("SIP:ALICE@AtLanTa.CoM;Transport=udp", "sip:alice@AtLanTa.CoM;Transport=UDP")]
    [InlineData("sip:bob@biloxi.com", "sip:bob@biloxi.com:5060")]
    [InlineData("sip:bob@biloxi.com", "sip:bob@biloxi.com;transport=udp")]
    [InlineData("sip:bob@biloxi.com", "sip:bob@biloxi.com:6000;transport=tcp")]
    [InlineData("sip:carol@chicago.com", "sip:carol@chicago.com?Subject=next%20meeting")]
    [InlineData("sip:bob@phone21.boxesbybob.com", "sip:bob@192.0.2.4")]
    [InlineData("sip:carol@chicago.com;security=on", "sip:carol@chicago.com;security=off")]
    [InlineData("sip:alice@atlanta.com", "sips:alice@atlanta.com")]
    public void DifferentUris(string a, string b)
    {
        Assert.False(SipUri.Parse(a).Equivalent(SipUri.Parse(b)));
        Assert.False(SipUri.Parse(b).Equivalent(SipUri.Parse(a)));
    }

    [Theory]
    [InlineData("sip:alice@[2001:db8::1]:5061;transport=tls")]
    [InlineData("sips:alice:secret@atlanta.com")]
    [InlineData("sip:192.0.2.1:5060;lr")]
    [InlineData("tel:+351912000001;phone-context=example.com")]
    [InlineData("sip:alice@atlanta.com;maddr=239.255.255.1;ttl=15?subject=x&priority=urgent")]
    public void UrisAreWrittenBackAsRead(string text) => Assert.Equal(text, SipUri.Parse(text).ToString());

    [Theory]
    [InlineData("sip:")]
    [InlineData("sip:alice@")]
    [InlineData("sip:alice@host:70000")]
    [InlineData("sip:alice@host:")]
    [InlineData("sip:alice@[2001:db8::1")]
    [InlineData("sip:alice@[not-ipv6]")]
    [InlineData("sip:alice@999.1.1.1")]
    [InlineData("sip:alice@-bad-.com")]
    [InlineData("sip:al ice@host")]
    [InlineData("sip:alice@host;=x")]
    [InlineData("sip:alice@host;a=b c")]
    [InlineData("sip:%zz@host")]
    [InlineData("sip:alice@host?noequals")]
    [InlineData("tel:")]
    [InlineData("tel:+1 555")]
    [InlineData("1sip:alice@host")]
    [InlineData("nocolon")]
    public void MalformedUrisAreRefused(string text) => Assert.False(SipUri.TryParse(text, out _));

    [Fact]
    public void SchemeAndHostCaseDoNotMatterButUserCaseDoes()
    {
        var uri = SipUri.Parse("SIPS:Alice@Atlanta.COM");

        Assert.Equal("sips", uri.Scheme);
        Assert.True(uri.IsSecure);
        Assert.True(uri.Equivalent(SipUri.Parse("sips:Alice@atlanta.com")));
        Assert.False(uri.Equivalent(SipUri.Parse("sips:alice@atlanta.com")));
    }

    [Fact]
    public void TelUrisKeepNumberAndParameters()
    {
        var uri = SipUri.Parse("tel:+351-912-000-001;ext=12");

        Assert.Equal("tel", uri.Scheme);
        Assert.Equal("+351-912-000-001", uri.Opaque);
        Assert.Equal("12", uri.Parameters["ext"]);
        Assert.False(uri.Equivalent(SipUri.Parse("tel:+351912000001")));
    }
}
