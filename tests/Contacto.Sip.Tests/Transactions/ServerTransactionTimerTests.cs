using Contacto.Sip.Messages;
using Contacto.Sip.Tests.Support;
using Contacto.Sip.Transactions;
using Contacto.Sip.Transport;

namespace Contacto.Sip.Tests.Transactions;

/// <summary>Server transactions on a fake clock: retransmissions absorbed, timers G to J exact.</summary>
public sealed class ServerTransactionTimerTests
{
    private readonly TimerWatchingClock _time = new();
    private readonly RecordingSender _sender;
    private readonly SipTransactionLayer _layer;
    private readonly List<SipServerTransaction> _received = [];

    public ServerTransactionTimerTests()
    {
        _sender = new RecordingSender(_time);
        _layer = new SipTransactionLayer(_sender, SipTimers.Default, _time, null) { RequestReceived = _received.Add };
    }

    [Fact]
    public async Task TimerGRetransmitsAFailureDoublingToT2AndTimerHGivesUpAt64T1()
    {
        var invite = Receive(SipMethods.Invite);

        invite.Respond(SipResponse.CreateFor(invite.Request, 486, toTag: "b1"));
        Advance(31_999);
        Assert.False(invite.Acknowledged.IsCompleted);
        Advance(1);

        Assert.Equal([0, 500, 1500, 3500, 7500, 11500, 15500, 19500, 23500, 27500, 31500], _sender.Times("486"));
        Assert.False(await invite.Acknowledged);
        Assert.Equal(0, _layer.Count);
        Assert.All(_time.Periods, p => Assert.Equal(Timeout.InfiniteTimeSpan, p));
    }

    [Fact]
    public async Task TheAckStopsTimerGAndTimerIAbsorbsAcksForT4()
    {
        var invite = Receive(SipMethods.Invite);
        invite.Respond(SipResponse.CreateFor(invite.Request, 486, toTag: "b1"));

        Advance(2_000);
        Receive(SipMethods.Ack, invite.Request.TopVia!.Branch);
        Advance(4_999);
        Assert.Equal(1, _layer.Count);
        Advance(1);

        Assert.Equal([0, 500, 1500], _sender.Times("486"));
        Assert.True(await invite.Acknowledged);
        Assert.Equal(SipTransactionState.Terminated, invite.State);
        Assert.Single(_received);
    }

    [Fact]
    public void AnInviteNotAnsweredWithin200MsGets100Trying()
    {
        var slow = Receive(SipMethods.Invite);
        var quick = Receive(SipMethods.Invite);
        var options = Receive(SipMethods.Options);

        Advance(150);
        quick.Respond(SipResponse.CreateFor(quick.Request, 180, toTag: "b1"));
        Advance(49);
        Assert.Empty(_sender.Times("100"));
        Advance(1);
        Receive(SipMethods.Invite, slow.Request.TopVia!.Branch);

        Assert.Equal([200, 200], _sender.Times("100"));
        Assert.Equal(SipTransactionState.Proceeding, slow.State);
        Assert.Equal(SipTransactionState.Trying, options.State);
    }

    [Fact]
    public void RetransmittedRequestsAreAbsorbedAndAnsweredWithTheLastResponse()
    {
        var invite = Receive(SipMethods.Invite);
        var branch = invite.Request.TopVia!.Branch;

        Receive(SipMethods.Invite, branch);
        invite.Respond(SipResponse.CreateFor(invite.Request, 180, toTag: "b1"));
        Receive(SipMethods.Invite, branch);

        Assert.Single(_received);
        Assert.Equal([0, 0], _sender.Times("180"));
    }

    [Fact]
    public void After2xxTheInviteIsAcceptedAbsorbingRetransmissionsUntilTimerLWhileItsAckGoesToTheUser()
    {
        var acks = new List<SipRequest>();
        _layer.AckReceived = (ack, _) => acks.Add(ack);
        var invite = Receive(SipMethods.Invite);
        var branch = invite.Request.TopVia!.Branch;

        invite.Respond(SipResponse.CreateFor(invite.Request, 200, toTag: "b1"));
        Advance(600);
        Receive(SipMethods.Invite, branch);
        Receive(SipMethods.Ack);
        Advance(31_399);
        Assert.Equal(SipTransactionState.Accepted, invite.State);
        Advance(1);

        Assert.Single(_received);
        Assert.Equal([0], _sender.Times("200"));
        Assert.Single(acks);
        Assert.Equal(0, _layer.Count);
    }

    [Fact]
    public void TimerJKeepsANonInviteFor64T1OverUdpToAnswerRetransmissions()
    {
        var options = Receive(SipMethods.Options);
        var branch = options.Request.TopVia!.Branch;

        Receive(SipMethods.Options, branch);
        options.Respond(SipResponse.CreateFor(options.Request, 200, toTag: "b1"));
        Advance(10_000);
        Receive(SipMethods.Options, branch);
        Advance(21_999);
        Assert.Equal(1, _layer.Count);
        Advance(1);

        Assert.Equal([0, 10_000], _sender.Times("200"));
        Assert.Single(_received);
        Assert.Equal(0, _layer.Count);
        Assert.Throws<InvalidOperationException>(() => options.Respond(SipResponse.CreateFor(options.Request, 500)));
    }

    [Fact]
    public void OverTcpANonInviteEndsWithItsFinalResponse()
    {
        var options = Receive(SipMethods.Options, flow: Requests.Flow(SipTransports.Tcp));

        options.Respond(SipResponse.CreateFor(options.Request, 200, toTag: "b1"));

        Assert.Equal(0, _layer.Count);
    }

    [Fact]
    public void ACancelFindsItsInvite()
    {
        var invite = Receive(SipMethods.Invite);

        var cancel = Requests.Create(SipMethods.Cancel, invite.Request.Headers.Get(HeaderNames.Via));

        Assert.Same(invite, _layer.FindInvite(cancel));
    }

    [Fact]
    public void ARequestMissingWhatATransactionIsKeyedByIsAnswered400StatelesslyAndOneWithoutViaDropped()
    {
        var noCallId = Requests.Create(SipMethods.Invite, "SIP/2.0/UDP 192.0.2.9;branch=z9hG4bKm1");
        noCallId.Headers.Remove(HeaderNames.CallId);
        var noVia = Requests.Create(SipMethods.Options);

        _layer.Receive(new SipReceived(noCallId, Requests.Flow()));
        _layer.Receive(new SipReceived(noVia, Requests.Flow()));

        Assert.Empty(_received);
        Assert.Equal([0], _sender.Times("400"));
        Assert.Equal(0, _layer.Count);
    }

    [Fact]
    public void Rfc2543RequestsAreMatchedWithoutABranch()
    {
        var first = Receive(SipMethods.Options, branch: "", via: "SIP/2.0/UDP 192.0.2.9");
        Receive(SipMethods.Options, branch: "", via: "SIP/2.0/UDP 192.0.2.9");

        Assert.Single(_received);
        Assert.Same(first, _received[0]);
    }

    private SipServerTransaction Receive(string method, string? branch = null, SipFlow? flow = null, string? via = null)
    {
        var request = Requests.Create(method, via ?? $"SIP/2.0/UDP 192.0.2.9:5060;branch={branch ?? SipIds.NewBranch()}");
        var before = _received.Count;
        _layer.Receive(new SipReceived(request, flow ?? Requests.Flow()));
        return _received.Count > before ? _received[^1] : _received.LastOrDefault()!;
    }

    private void Advance(int milliseconds) => _time.Step(milliseconds);
}
