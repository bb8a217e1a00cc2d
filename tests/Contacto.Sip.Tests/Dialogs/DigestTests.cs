using Contacto.Sip.Dialogs;
using Contacto.Sip.Messages;
using Contacto.Sip.Tests.Support;
using Contacto.Sip.Transport;

namespace Contacto.Sip.Tests.Dialogs;

public sealed class DigestTests
{
    private static readonly SipCredentials Mufasa = new("Mufasa", "Circle of Life");

    // RFC 7616 3.9.1: the same request answered with SHA-256 and with MD5.
    [Theory]
    [InlineData("SHA-256", "753927fa0e85d155564e2e272a28d1802ca10daf4496794697cf8db5856cb6c1")]
    [InlineData("MD5", "8ca523f5e9506fed4657c9700eebdbec")]
    public void ResponsesMatchTheRfc7616Examples(string algorithm, string expected)
    {
        var challenge = SipDigestChallenge.TryParse(
            $"Digest realm=\"http-auth@example.org\", qop=\"auth, auth-int\", algorithm={algorithm}, " +
            "nonce=\"7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v\", opaque=\"FQhe/qaU925kfnzjCev0ciny7QMkPqMAFRtzCUYo5tdS\"")!;

        var answer = SipDigest.Authorization(challenge, "GET", "/dir/index.html", Mufasa, 1, "f2/wE4q74E6zIJEtWaHKaf5wv/H5QzzpXusqGemxURZJ");

        Assert.Contains($"response=\"{expected}\"", answer);
        Assert.Contains("qop=auth, nc=00000001", answer);
        Assert.True(SipDigest.Verify(answer, "GET", "http-auth@example.org", challenge.Nonce, u => u == "Mufasa" ? "Circle of Life" : null));
        Assert.False(SipDigest.Verify(answer, "GET", "http-auth@example.org", challenge.Nonce, _ => "wrong"));
        Assert.False(SipDigest.Verify(answer, "POST", "http-auth@example.org", challenge.Nonce, _ => "Circle of Life"));
    }

    [Theory]
    [InlineData("NoOneKnowsThisScheme opaque-data=here")]
    [InlineData("Digest nonce=\"n\"")]
    [InlineData("Digest realm=\"r\", nonce=\"n\", algorithm=SHA-512-256")]
    [InlineData("Digest realm=\"r\" nonce=\"n\"")]
    [InlineData("Digest realm=\"r, nonce=\"n\"")]
    public void UnknownOrMalformedChallengesAreNotAnswered(string header) => Assert.Null(SipDigestChallenge.TryParse(header));

    [Fact]
    public void TheStrongestOfSeveralChallengesIsAnswered()
    {
        var request = Requests.Create(SipMethods.Invite);
        var challenge = SipResponse.CreateFor(request, 407);
        challenge.Headers.Add(HeaderNames.ProxyAuthenticate, SipDigest.Challenge("trunk", "n1", "MD5"));
        challenge.Headers.Add(HeaderNames.ProxyAuthenticate, SipDigest.Challenge("trunk", "n2", "SHA-256"));

        var (name, value) = SipDigest.Answer(challenge, request, Mufasa)!.Value;

        Assert.Equal(HeaderNames.ProxyAuthorization, name);
        Assert.Contains("algorithm=SHA-256", value);
        Assert.Contains("nonce=\"n2\"", value);
        Assert.DoesNotContain("Circle", value);
        Assert.DoesNotContain("Circle", Mufasa.ToString());
    }

    [Theory]
    [InlineData("SHA-256", 401)]
    [InlineData("MD5", 407)]
    public async Task ACallAnswersTheTrunksChallengeOnceWithANewCSeq(string algorithm, int status)
    {
        await using var agents = Agents.Start(SipTransports.Udp);
        var invites = new List<SipRequest>();
        agents.Bob.IncomingCall = call =>
        {
            invites.Add(call.Request);
            var header = status == 401 ? HeaderNames.Authorization : HeaderNames.ProxyAuthorization;
            if (call.Request.Headers.Get(header) is { } answer
                && SipDigest.Verify(answer, SipMethods.Invite, "trunk.example", "abc", u => u == "acct" ? "s3cret" : null))
            {
                call.Accept(Agents.Answer);
                return;
            }
            var challenge = call.CreateResponse(status);
            challenge.Headers.Add(status == 401 ? HeaderNames.WwwAuthenticate : HeaderNames.ProxyAuthenticate, SipDigest.Challenge("trunk.example", "abc", algorithm));
            call.Respond(challenge);
        };

        var (accepted, dialog) = await agents.Alice.Call(agents.CallOptions(credentials: new SipCredentials("acct", "s3cret"))).Completion.WaitAsync(Loopback.Patience);
        var (refused, _) = await agents.Alice.Call(agents.CallOptions(credentials: new SipCredentials("acct", "wrong"))).Completion.WaitAsync(Loopback.Patience);

        Assert.Equal(200, accepted.StatusCode);
        Assert.NotNull(dialog);
        Assert.Equal(status, refused.StatusCode);
        Assert.Equal(4, invites.Count);
        Assert.Equal(invites[0].CSeq.Number + 1, invites[1].CSeq.Number);
        Assert.Equal(invites[0].CallId, invites[1].CallId);
        Assert.Equal(invites[0].From.Tag, invites[1].From.Tag);
        Assert.NotEqual(invites[0].TopVia!.Branch, invites[1].TopVia!.Branch);
    }

    [Fact]
    public async Task WithoutCredentialsTheChallengeIsTheAnswer()
    {
        await using var agents = Agents.Start(SipTransports.Udp);
        agents.Bob.IncomingRequest = request =>
        {
            var challenge = request.CreateResponse(401);
            challenge.Headers.Add(HeaderNames.WwwAuthenticate, SipDigest.Challenge("trunk.example", "abc"));
            request.Respond(challenge);
        };
        var options = agents.Alice.CreateRequest(SipMethods.Options, SipUri.Parse("sip:bob@127.0.0.1"),
            SipNameAddress.Parse("<sip:alice@127.0.0.1>"), SipNameAddress.Parse("<sip:bob@127.0.0.1>"));

        Assert.Equal(401, (await agents.Alice.SendAsync(options, agents.BobTarget).WaitAsync(Loopback.Patience)).StatusCode);
    }
}
