using System.Text;
using Contacto.Sip.Messages;
using Contacto.Sip.Tests.Support;

namespace Contacto.Sip.Tests.Messages;

/// <summary>
/// RFC 4475: every valid message parses, every invalid one is refused with the answer the RFC
/// asks for, and the application-layer cases (3.3) parse and are then answered as it says.
/// </summary>
public sealed class Rfc4475TortureTests
{
    [Theory]
    [InlineData("wsinv")]
    [InlineData("intmeth")]
    [InlineData("esc01")]
    [InlineData("escnull")]
    [InlineData("esc02")]
    [InlineData("lwsdisp")]
    [InlineData("longreq")]
    [InlineData("dblreq")]
    [InlineData("semiuri")]
    [InlineData("transports")]
    [InlineData("mpart01")]
    [InlineData("unreason")]
    [InlineData("noreason")]
    public void ValidMessagesParseAndSurviveARoundTrip(string name)
    {
        var message = Parse(name);

        var again = SipMessageParser.Parse(message.ToBytes()).Message!;
        Assert.Equal(message.StartLine, again.StartLine);
        // Content-Length is written last, from the body.
        Assert.Equal(message.Headers.Where(h => h.Name != HeaderNames.ContentLength).Select(h => (h.Name, h.Value)),
            again.Headers.Where(h => h.Name != HeaderNames.ContentLength).Select(h => (h.Name, h.Value)));
        Assert.Equal(message.Body, again.Body);
    }

    [Fact]
    public void ShortTortuousInviteIsReadThroughItsFoldingAndWhiteSpace()
    {
        var request = (SipRequest)Parse("wsinv");

        Assert.Equal("INVITE", request.Method);
        Assert.Equal("sip:vivekg@chair-dnrc.example.com;unknownparam", request.RequestUri.ToString());
        Assert.Equal("1918181833n", request.To.Tag);
        Assert.Equal("J Rosenberg \\\"", request.From.DisplayName);
        Assert.Equal("98asjd8", request.From.Tag);
        Assert.Equal(68, request.MaxForwards);
        Assert.Equal(new SipCSeq(9, "INVITE"), request.CSeq);
        Assert.Equal([("UDP", "192.0.2.2", "390skdjuw"), ("TCP", "spindle.example.com", "z9hG4bK9ikj8"), ("UDP", "192.168.255.111", "z9hG4bK30239")],
            request.Vias.Select(v => (v.Transport, v.Host, v.Branch!)));
        Assert.Equal("", request.Headers.Get("Subject"));
        Assert.Equal("newfangled value continued newfangled value", request.Headers.Get("NewFangledHeader"));
        var contact = Assert.Single(request.Contacts);
        Assert.Equal("Quoted string \"\"", contact.DisplayName);
        Assert.Equal("newvalue", contact.Parameters["newparam"]);
        Assert.True(contact.Parameters.Contains("secondparam"));
        Assert.Equal("0.33", contact.Parameters["q"]);
        Assert.True(Assert.Single(request.Routes).Uri.IsLooseRouter);
        Assert.Equal(150, request.Body.Length);
    }

    [Fact]
    public void UnusualCharactersAreKeptWhereTheGrammarAllowsThem()
    {
        var request = (SipRequest)Parse("intmeth");

        Assert.Equal("!interesting-Method0123456789_*+`.%indeed'~", request.Method);
        Assert.Equal(request.Method, request.CSeq.Method);
        Assert.Equal("1_unusual.URI~(to-be!sure)&isn't+it$/crazy?,/;;*", request.RequestUri.User);
        Assert.Equal("&it+has=1,weird!*pas$wo~d_too.(doesn't-it)", request.RequestUri.Password);
        Assert.Equal("BEL:\a NUL:\0 DEL:\x7F", request.To.DisplayName);
        Assert.Equal("token1~` token2'+_ token3*%!.-", request.From.DisplayName);
        Assert.Equal("_token~1'+`*%!-.", request.From.Tag);
        Assert.Equal("intmeth.word%ZK-!.*_+'@word`~)(><:\\/\"][?}{", request.CallId);
        Assert.Single(request.Headers, h => h.Name == "extensionHeader-!.%*+_`'~");
    }

    [Fact]
    public void EscapesCompareAsTheCharactersTheyStandFor()
    {
        var request = (SipRequest)Parse("esc01");

        Assert.Equal("sips:user@example.com", SipUri.Unescape(request.RequestUri.User));
        Assert.True(request.To.Uri.Equivalent(SipUri.Parse("sip:user@example.com")));
        Assert.Equal("I have spaces", SipUri.Unescape(request.From.Uri.User));
        var contact = Assert.Single(request.Contacts).Uri;
        Assert.True(contact.Equivalent(SipUri.Parse("sip:caller@host5.example.net;lr;name=value%2541")));
        Assert.Equal("esc01.239409asdfakjkn23onasd0-3234", request.CallId);
        Assert.Equal("application/sdp", request.ContentType);
    }

    [Fact]
    public void EscapedNullsAreKept()
    {
        var request = (SipRequest)Parse("escnull");

        Assert.Equal("null-\0-null", SipUri.Unescape(request.To.Uri.User));
        Assert.Equal(["\0", "\0\0"], request.Contacts.Select(c => SipUri.Unescape(c.Uri.User)));
    }

    [Fact]
    public void PercentIsNotAnEscapeInTokens()
    {
        var request = (SipRequest)Parse("esc02");

        Assert.Equal("RE%47IST%45R", request.Method);
        Assert.NotEqual(SipMethods.Register, request.Method);
        Assert.Equal("%Z%45", request.To.DisplayName);
        Assert.Equal(2, request.Contacts.Count);
        Assert.Equal("<sip:alias2@host2.example.com>", request.Headers.Get("C%6Fntact"));
    }

    [Fact]
    public void NoSpaceIsNeededBetweenDisplayNameAndBracket() =>
        Assert.Equal("caller", ((SipRequest)Parse("lwsdisp")).From.DisplayName);

    [Fact]
    public void LongValuesAndManyViasAreRead()
    {
        var request = (SipRequest)Parse("longreq");

        Assert.Equal(34, request.Vias.Count);
        Assert.Equal("sip33.example.com", request.TopVia!.Host);
        Assert.StartsWith("I have a user name of extremeextreme", request.To.DisplayName);
        Assert.Equal(6000, request.To.Uri.Port);
    }

    [Fact]
    public void OctetsPastContentLengthInADatagramAreIgnored()
    {
        var request = (SipRequest)Parse("dblreq");

        Assert.Equal(SipMethods.Register, request.Method);
        Assert.Empty(request.Body);
    }

    [Fact]
    public void SemicolonsInTheUserPartAreUserNotParameters()
    {
        var request = (SipRequest)Parse("semiuri");

        Assert.Equal("user;par=u%40example.net", request.RequestUri.User);
        Assert.Equal("example.com", request.RequestUri.Host);
        Assert.Equal(0, request.RequestUri.Parameters.Count);
        Assert.Equal(6, request.Headers.GetValues(HeaderNames.Accept).Count);
    }

    [Fact]
    public void UnknownTransportsAreRead() =>
        Assert.Equal(["UDP", "SCTP", "TLS", "UNKNOWN", "TCP"], ((SipRequest)Parse("transports")).Vias.Select(v => v.Transport));

    [Fact]
    public void MultipartBodiesAreKeptWhole()
    {
        var request = (SipRequest)Parse("mpart01");

        Assert.Equal("multipart/mixed;boundary=7a9cbec02ceef655", request.ContentType);
        Assert.Equal(553, request.Body.Length);
    }

    [Fact]
    public void ReasonPhrasesMayBeUnusualOrEmpty()
    {
        var unusual = (SipResponse)Parse("unreason");
        var empty = (SipResponse)Parse("noreason");

        Assert.Equal(200, unusual.StatusCode);
        Assert.StartsWith("= 2**3 * 5**2 но", unusual.ReasonPhrase);
        Assert.Equal(100, empty.StatusCode);
        Assert.Equal("", empty.ReasonPhrase);
    }

    [Theory]
    [InlineData("badinv01", 400)]
    [InlineData("clerr", 400)]
    [InlineData("ncl", 400)]
    [InlineData("scalar02", 400)]
    [InlineData("quotbal", 400)]
    [InlineData("ltgtruri", 400)]
    [InlineData("lwsruri", 400)]
    [InlineData("lwsstart", 400)]
    [InlineData("trws", 400)]
    [InlineData("escruri", 400)]
    [InlineData("baddate", 400)]
    [InlineData("regbadct", 400)]
    [InlineData("badaspec", 400)]
    [InlineData("baddn", 400)]
    [InlineData("badvers", 505)]
    [InlineData("mismatch01", 400)]
    [InlineData("mismatch02", 400)]
    [InlineData("multi01", 400)]
    [InlineData("mcl01", 400)]
    public void InvalidRequestsAreRefusedWithTheRfcsAnswer(string name, int status)
    {
        var bytes = Torture.Rfc4475(name);
        var result = SipMessageParser.Parse(bytes);

        Assert.False(result.IsMessage);
        Assert.Equal(status, result.Status);
        var response = result.Response!;
        Assert.Equal(status, response.StatusCode);
        // The answer echoes the request's Via, From, Call-ID and CSeq lines as they came (To gains a tag).
        var request = Encoding.UTF8.GetString(bytes);
        foreach (var line in response.Headers.Where(h => h.Name != HeaderNames.To))
        {
            Assert.Contains(line.Value, request);
        }
        Assert.Equal(5, response.Headers.Select(h => h.Name).Distinct().Count());
    }

    [Theory]
    [InlineData("scalarlg")]
    [InlineData("bigcode")]
    public void InvalidResponsesAreDiscarded(string name)
    {
        var result = SipMessageParser.Parse(Torture.Rfc4475(name));

        Assert.False(result.IsMessage);
        Assert.Null(result.Response);
    }

    [Fact]
    public void ContentLengthPastTheEndOfAStreamMessageIsRefused() =>
        Assert.Equal(400, SipMessageParser.Parse(Torture.Rfc4475("clerr"), datagram: false).Status);

    [Theory]
    [InlineData("badbranch", 0)]
    [InlineData("insuf", 400)]
    [InlineData("unkscm", 416)]
    [InlineData("novelsc", 416)]
    [InlineData("unksm2", 0)]
    [InlineData("bext01", 420)]
    [InlineData("invut", 415)]
    [InlineData("regaut01", 0)]
    [InlineData("zeromf", 0)]
    [InlineData("cparam01", 0)]
    [InlineData("cparam02", 0)]
    [InlineData("regescrt", 0)]
    [InlineData("sdp01", 406)]
    [InlineData("inv2543", 0)]
    public void ApplicationLayerCasesParseAndGetTheRfcsAnswer(string name, int status)
    {
        var request = (SipRequest)Parse(name);

        var refusal = SipRequestChecks.Check(request);

        Assert.Equal(status, refusal?.StatusCode ?? 0);
    }

    [Fact]
    public void ApplicationLayerAnswersCarryWhatTheyMustName()
    {
        var bext = SipRequestChecks.Check((SipRequest)Parse("bext01"))!;
        var invut = SipRequestChecks.Check((SipRequest)Parse("invut"))!;

        Assert.Equal(["nothingSupportsThis", "nothingSupportsThisEither"], bext.Headers.GetValues(HeaderNames.Unsupported));
        Assert.Equal("application/sdp, application/dtmf-relay, message/sipfrag", invut.Headers.Get(HeaderNames.Accept));
    }

    [Fact]
    public void UnknownSchemesAreCarriedOpaque()
    {
        var request = (SipRequest)Parse("unksm2");

        Assert.Equal("isbn", request.To.Uri.Scheme);
        Assert.Equal("http://www.example.com", request.From.Uri.ToString());
        Assert.Equal("name:John_Smith", Assert.Single(request.Contacts).Uri.ToString());
    }

    [Fact]
    public void ParametersAfterAnAddrSpecBelongToTheHeader()
    {
        var bare = Assert.Single(((SipRequest)Parse("cparam01")).Contacts);
        var bracketed = Assert.Single(((SipRequest)Parse("cparam02")).Contacts);

        Assert.True(bare.Parameters.Contains("unknownparam"));
        Assert.Equal(0, bare.Uri.Parameters.Count);
        Assert.True(bracketed.Uri.Parameters.Contains("unknownparam"));
        Assert.Equal(0, bracketed.Parameters.Count);
    }

    [Fact]
    public void EscapedHeadersInAContactUriAreRead()
    {
        var contact = Assert.Single(((SipRequest)Parse("regescrt")).Contacts).Uri;

        var route = Assert.Single(contact.Headers);
        Assert.Equal("Route", route.Key);
        Assert.Equal("<sip:sip.example.com>", SipUri.Unescape(route.Value));
    }

    [Fact]
    public void RetryAfterIsReadAndAnOverlargeOneIsAVeryLongTime()
    {
        var busy = new SipResponse(503);
        busy.Headers.Add(HeaderNames.RetryAfter, "120 (I'm in a meeting);duration=3600");
        var huge = new SipResponse(503);
        huge.Headers.Add(HeaderNames.RetryAfter, "949302838503028349304023988");

        Assert.Equal(TimeSpan.FromSeconds(120), busy.RetryAfter);
        Assert.Equal(TimeSpan.FromSeconds(uint.MaxValue), huge.RetryAfter);
        Assert.Null(new SipResponse(503).RetryAfter);
        Assert.False(busy.IsLocal);
    }

    [Fact]
    public void AResponseWithTwoViasParses() =>
        Assert.Equal(2, ((SipResponse)Parse("bcast")).Vias.Count);

    [Fact]
    public void ABranchWithoutTheMagicCookieIsNotRfc3261() =>
        Assert.False(((SipRequest)Parse("badbranch")).TopVia!.HasRfc3261Branch);

    [Fact]
    public void Rfc2543SyntaxWithoutContentLengthTakesTheRestOfTheDatagram()
    {
        var request = (SipRequest)Parse("inv2543");

        Assert.Null(request.MaxForwards);
        Assert.Equal(105, request.Body.Length);
        Assert.False(request.TopVia!.HasRfc3261Branch);
    }

    [Fact]
    public void MissingContentLengthOnAStreamIsRefused() =>
        Assert.Equal(400, SipMessageParser.Parse(Torture.Rfc4475("inv2543"), datagram: false).Status);

    private static SipMessage Parse(string name)
    {
        var result = SipMessageParser.Parse(Torture.Rfc4475(name));
        Assert.True(result.IsMessage, $"{name}: {result.Error}");
        return result.Message!;
    }
}
