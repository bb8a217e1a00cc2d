using System.Text;
using Contacto.Sip.Messages;

namespace Contacto.Sip.Tests.Messages;

public sealed class SipMessageParserTests
{
    private const string Options =
        "OPTIONS sip:bob@biloxi.example.com SIP/2.0\r\n" +
        "Via: SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bK776asdhds;rport\r\n" +
        "Max-Forwards: 70\r\n" +
        "To: Bob <sip:bob@biloxi.example.com>\r\n" +
        "From: \"Alice \\\"A\\\"\" <sip:alice@atlanta.example.com>;tag=1928301774\r\n" +
        "Call-ID: a84b4c76e66710@pc33.atlanta.example.com\r\n" +
        "CSeq: 63104 OPTIONS\r\n" +
        "Contact: <sip:alice@pc33.atlanta.example.com>\r\n" +
        "Content-Length: 0\r\n\r\n";

    [Fact]
    public void CompactFormsAreTheLongHeaders()
    {
        var text = "OPTIONS sip:bob@example.com SIP/2.0\r\nv: SIP/2.0/TCP h;branch=z9hG4bK1\r\nf: <sip:a@b>;tag=1\r\nt: sip:bob@example.com\r\n" +
                   "i: x@y\r\nCSeq: 1 OPTIONS\r\nm: <sip:a@h>\r\nk: timer\r\ns: hi\r\nc: text/plain\r\nl: 2\r\n\r\nok";

        var message = SipMessageParser.Parse(Encoding.UTF8.GetBytes(text)).Message!;

        Assert.Equal("h", message.TopVia!.Host);
        Assert.Equal("1", message.From.Tag);
        Assert.Equal("x@y", message.CallId);
        Assert.Single(message.Contacts);
        Assert.Equal("timer", message.Headers.Get("Supported"));
        Assert.Equal("hi", message.Headers.Get("subject"));
        Assert.Equal("ok"u8.ToArray(), message.Body);
        Assert.Contains("Via: SIP/2.0/TCP h;branch=z9hG4bK1\r\n", message.ToString());
    }

    [Fact]
    public void QuotedStringsResolveTheirEscapesAndAreQuotedAgainOnOutput()
    {
        var message = Parse(Options);

        Assert.Equal("Alice \"A\"", message.From.DisplayName);
        Assert.Equal("\"Alice \\\"A\\\"\" <sip:alice@atlanta.example.com>;tag=1928301774", message.From.ToString());
    }

    [Fact]
    public void CommaSeparatedAndRepeatedLinesAreOneList()
    {
        var text = Options.Replace("Contact: <sip:alice@pc33.atlanta.example.com>\r\n",
            "Record-Route: <sip:p1.example.com;lr>, \"x,y\" <sip:p2.example.com;lr>\r\nRecord-Route: <sip:p3.example.com;lr>\r\n");

        var message = Parse(text);

        Assert.Equal(["p1.example.com", "p2.example.com", "p3.example.com"], message.RecordRoutes.Select(r => r.Uri.Host));
        Assert.Equal("x,y", message.RecordRoutes[1].DisplayName);
    }

    [Fact]
    public void HeaderNamesAndParameterNamesIgnoreCaseButMethodsDoNot()
    {
        var message = (SipRequest)Parse(Options.Replace("Via:", "VIA:").Replace("branch=", "BRANCH="));

        Assert.Equal("z9hG4bK776asdhds", message.TopVia!.Branch);
        Assert.Equal(400, SipMessageParser.Parse(Encoding.UTF8.GetBytes(Options.Replace("CSeq: 63104 OPTIONS", "CSeq: 63104 options"))).Status);
    }

    [Fact]
    public void ABuiltMessageIsWrittenWithItsContentLength()
    {
        var request = new SipRequest(SipMethods.Info, SipUri.Parse("sip:bob@example.com"));
        request.Headers.Add(HeaderNames.Via, new SipVia("udp", "127.0.0.1", 5070, "z9hG4bKabc").ToString());
        request.Headers.Add(HeaderNames.From, new SipNameAddress(SipUri.Parse("sip:a@b"), "A").WithTag("t1").ToString());
        request.Headers.Add(HeaderNames.To, "<sip:bob@example.com>");
        request.Headers.Add(HeaderNames.CallId, "c1@h");
        request.Headers.Add(HeaderNames.CSeq, new SipCSeq(2, SipMethods.Info).ToString());
        request.Headers.Add(HeaderNames.ContentLength, "999");
        request.Body = "Signal=5\r\n"u8.ToArray();

        var again = (SipRequest)Parse(Encoding.UTF8.GetString(request.ToBytes()));

        Assert.Equal("INFO sip:bob@example.com SIP/2.0", again.StartLine);
        Assert.Equal("Via: SIP/2.0/UDP 127.0.0.1:5070;branch=z9hG4bKabc", "Via: " + again.Headers.Get("Via"));
        Assert.Equal("10", again.Headers.Get(HeaderNames.ContentLength));
        Assert.Equal(request.Body, again.Body);
        Assert.Equal("t1", again.From.Tag);
    }

    [Fact]
    public void CrlfAloneIsAKeepAlive()
    {
        Assert.True(SipMessageParser.Parse("\r\n\r\n"u8).IsKeepAlive);
        Assert.True(SipMessageParser.Parse("\r\n\r\n" + Options is var t ? Encoding.UTF8.GetBytes(t) : []).IsMessage);
    }

    [Fact]
    public void LimitsAreEnforced()
    {
        var limits = new SipLimits { MaxHeaderCount = 10, MaxHeaderLength = 200, MaxValuesPerHeader = 3, MaxParameters = 4, MaxMessageBytes = 2000, MaxVias = 3 };

        Assert.True(SipMessageParser.Parse(Encoding.UTF8.GetBytes(Options), limits).IsMessage);
        Assert.Equal(400, Refused(Options.Replace("Max-Forwards: 70\r\n", string.Concat(Enumerable.Repeat("X-A: 1\r\n", 4))), limits));
        Assert.Equal(400, Refused(Options.Replace("Max-Forwards: 70", "X-Long: " + new string('a', 300)), limits));
        Assert.Equal(400, Refused(Options.Replace("Max-Forwards: 70", "X-Long: " + string.Join("\r\n ", Enumerable.Repeat(new string('a', 50), 5))), limits));
        Assert.Equal(400, Refused(Options.Replace("<sip:alice@pc33.atlanta.example.com>", "<sip:a@b>, <sip:c@d>, <sip:e@f>, <sip:g@h>"), limits));
        Assert.Equal(400, Refused(Options.Replace(";rport", ";a;b;c;d"), limits));
        Assert.Equal(400, Refused(Options.Replace("Max-Forwards: 70", "Via: SIP/2.0/UDP a, SIP/2.0/UDP b, SIP/2.0/UDP c"), limits));
        Assert.Equal(513, Refused(Options.Replace("Max-Forwards: 70", "X-Pad: " + new string('a', 2000)), limits));
        Assert.Equal(400, Refused(Options.Replace("Content-Length: 0", "Content-Length: 99999999999"), limits));
    }

    [Theory]
    [InlineData("Max-Forwards: 70", "Max-Forwards: 256")]
    [InlineData("Max-Forwards: 70", "Max-Forwards: -1")]
    [InlineData("Call-ID: a84b4c76e66710@pc33.atlanta.example.com", "Call-ID: a b")]
    [InlineData("Call-ID: a84b4c76e66710@pc33.atlanta.example.com", "Call-ID: @")]
    [InlineData("CSeq: 63104 OPTIONS", "CSeq: 4294967296 OPTIONS")]
    [InlineData("CSeq: 63104 OPTIONS", "CSeq: 1OPTIONS")]
    [InlineData(";rport", ";rport=99999")]
    [InlineData(";rport", ";received=example.com")]
    [InlineData("SIP/2.0/UDP 192.0.2.1:5060", "SIP/2.0/UDP 192.0.2.1:x")]
    [InlineData("SIP/2.0/UDP", "SIP/2.0 UDP")]
    [InlineData("To: Bob <sip:bob@biloxi.example.com>", "To: Bob <sip:bob@biloxi.example.com")]
    [InlineData("To: Bob <sip:bob@biloxi.example.com>", "To: <sip:bob@biloxi.example.com>;tag=")]
    [InlineData("To: Bob <sip:bob@biloxi.example.com>", "To: Bob <sip:bob@biloxi.example.com> junk")]
    [InlineData("Content-Length: 0\r\n", "Content-Length: 0\r\nContent-Type: text\r\n")]
    [InlineData("Content-Length: 0\r\n", "Content-Length: 0\r\nno colon here\r\n")]
    [InlineData("Content-Length: 0\r\n", "Content-Length: 0\r\nBad Name: x\r\n")]
    [InlineData("Max-Forwards: 70\r\n", "Max-Forwards: 70\r\nX: a\rb\r\n")]
    [InlineData("OPTIONS sip:bob@biloxi.example.com SIP/2.0", "OPTIONS sip:bob@biloxi.example.com")]
    [InlineData("OPTIONS sip:bob@biloxi.example.com SIP/2.0", "OPT<IONS sip:bob@biloxi.example.com SIP/2.0")]
    [InlineData("OPTIONS sip:bob@biloxi.example.com SIP/2.0", "OPTIONS sip:bob@biloxi.example.com SIP/2")]
    public void MalformedRequestsGetA400(string from, string to)
    {
        var result = SipMessageParser.Parse(Encoding.UTF8.GetBytes(Options.Replace(from, to)));

        Assert.Equal(400, result.Status);
        Assert.Equal(400, result.Response!.StatusCode);
        Assert.True(result.Response.Headers.Contains(HeaderNames.Via));
    }

    [Fact]
    public void AMalformedAckIsNeverAnswered() =>
        Assert.Null(SipMessageParser.Parse(Encoding.UTF8.GetBytes(Options.Replace("OPTIONS", "ACK").Replace("Max-Forwards: 70", "Max-Forwards: x"))).Response);

    [Fact]
    public void NoEndOfHeadersIsRefused() =>
        Assert.Equal(400, SipMessageParser.Parse(Encoding.UTF8.GetBytes(Options[..^4])).Status);

    private static SipMessage Parse(string text)
    {
        var result = SipMessageParser.Parse(Encoding.UTF8.GetBytes(text));
        Assert.True(result.IsMessage, result.Error);
        return result.Message!;
    }

    private static int Refused(string text, SipLimits limits)
    {
        var result = SipMessageParser.Parse(Encoding.UTF8.GetBytes(text), limits);
        Assert.False(result.IsMessage);
        return result.Status;
    }
}
