using Contacto.Sip.Messages;
using Contacto.Sip.Tests.Support;
using Contacto.Sip.Transactions;
using Contacto.Sip.Transport;

namespace Contacto.Sip.Tests.Transactions;

/// <summary>Client transactions on a fake clock: each timer fires exactly when RFC 3261 17.1 says.</summary>
public sealed class ClientTransactionTimerTests
{
    private readonly TimerWatchingClock _time = new();
    private readonly RecordingSender _sender;
    private readonly SipTransactionLayer _layer;

    public ClientTransactionTimerTests()
    {
        _sender = new RecordingSender(_time);
        _layer = new SipTransactionLayer(_sender, SipTimers.Default, _time, null);
    }

    [Fact]
    public async Task TimerADoublesFromT1OverUdpAndTimerBEndsItAt64T1With408()
    {
        var transaction = _layer.Send(Requests.Create(SipMethods.Invite), Requests.Udp);

        Advance(31_999);
        Assert.False(transaction.FinalResponse.IsCompleted);
        Advance(1);

        Assert.Equal([0, 500, 1500, 3500, 7500, 15500, 31500], _sender.Times(SipMethods.Invite));
        Assert.Equal(408, (await transaction.FinalResponse).StatusCode);
        Assert.True((await transaction.FinalResponse).IsLocal);
        Assert.Equal(0, _layer.Count);
        Assert.All(_time.Periods, p => Assert.Equal(Timeout.InfiniteTimeSpan, p));
    }

    [Fact]
    public async Task OverTcpNothingIsRetransmittedButTimerBStillRuns()
    {
        var transaction = _layer.Send(Requests.Create(SipMethods.Invite), Requests.Tcp);

        Advance(32_000);

        Assert.Equal([0], _sender.Times(SipMethods.Invite));
        Assert.Equal(408, (await transaction.FinalResponse).StatusCode);
    }

    [Fact]
    public void AProvisionalResponseStopsTimersAAndB()
    {
        var provisional = new List<int>();
        var transaction = _layer.Send(Requests.Create(SipMethods.Invite), Requests.Udp, r => provisional.Add(r.StatusCode));

        Advance(600);
        _layer.Receive(new SipReceived(Requests.Answer(transaction.Request, 180), Requests.Flow()));
        Advance(120_000);

        Assert.Equal([0, 500], _sender.Times(SipMethods.Invite));
        Assert.Equal([180], provisional);
        Assert.False(transaction.FinalResponse.IsCompleted);
        Assert.Equal(SipTransactionState.Proceeding, transaction.State);
    }

    [Fact]
    public async Task AFailureIsAcknowledgedInsideTheTransactionAgainForEachRetransmissionUntilTimerD()
    {
        var transaction = _layer.Send(Requests.Create(SipMethods.Invite), Requests.Udp);
        var busy = Requests.Answer(transaction.Request, 486);

        Advance(100);
        _layer.Receive(new SipReceived(busy, Requests.Flow()));
        Advance(1_000);
        _layer.Receive(new SipReceived(busy, Requests.Flow()));
        Advance(30_999);
        Assert.Equal(1, _layer.Count);
        Advance(1);

        Assert.Equal([100, 1100], _sender.Times(SipMethods.Ack));
        var ack = (SipRequest)_sender.Sent.Last().Message;
        Assert.Equal(transaction.Request.TopVia!.Branch, ack.TopVia!.Branch);
        Assert.Equal("b1", ack.To.Tag);
        Assert.Equal(new SipCSeq(1, SipMethods.Ack), ack.CSeq);
        Assert.Equal(486, (await transaction.FinalResponse).StatusCode);
        Assert.Equal(0, _layer.Count);
    }

    [Fact]
    public async Task A2xxEndsTheInviteTransactionAtOnceAndItsRetransmissionsGoToTheUser()
    {
        var unmatched = new List<int>();
        _layer.UnmatchedResponse = (r, _) => unmatched.Add(r.StatusCode);
        var transaction = _layer.Send(Requests.Create(SipMethods.Invite), Requests.Udp);
        var ok = Requests.Answer(transaction.Request, 200);

        _layer.Receive(new SipReceived(ok, Requests.Flow()));
        _layer.Receive(new SipReceived(ok, Requests.Flow()));

        Assert.Equal(200, (await transaction.FinalResponse).StatusCode);
        Assert.Empty(_sender.Times(SipMethods.Ack));
        Assert.Equal([200], unmatched);
        Assert.Equal(0, _layer.Count);
    }

    [Fact]
    public async Task TimerEDoublesToT2AndTimerFEndsANonInviteAt64T1()
    {
        var transaction = _layer.Send(Requests.Create(SipMethods.Options), Requests.Udp);

        Advance(31_999);
        Assert.False(transaction.FinalResponse.IsCompleted);
        Advance(1);

        Assert.Equal([0, 500, 1500, 3500, 7500, 11500, 15500, 19500, 23500, 27500, 31500], _sender.Times(SipMethods.Options));
        Assert.Equal(408, (await transaction.FinalResponse).StatusCode);
    }

    [Fact]
    public async Task AfterAProvisionalTimerERetransmitsEveryT2()
    {
        var transaction = _layer.Send(Requests.Create(SipMethods.Options), Requests.Udp);

        Advance(700);
        _layer.Receive(new SipReceived(Requests.Answer(transaction.Request, 100), Requests.Flow()));
        Advance(31_300);

        Assert.Equal([0, 500, 1500, 5500, 9500, 13500, 17500, 21500, 25500, 29500], _sender.Times(SipMethods.Options));
        Assert.Equal(408, (await transaction.FinalResponse).StatusCode);
    }

    [Fact]
    public void TimerKAbsorbsRetransmittedResponsesForT4OverUdpAndNotAtAllOverTcp()
    {
        var udp = _layer.Send(Requests.Create(SipMethods.Options), Requests.Udp);
        _layer.Receive(new SipReceived(Requests.Answer(udp.Request, 200), Requests.Flow()));
        var tcp = _layer.Send(Requests.Create(SipMethods.Options), Requests.Tcp);
        _layer.Receive(new SipReceived(Requests.Answer(tcp.Request, 200), Requests.Flow(SipTransports.Tcp)));

        Assert.Equal(SipTransactionState.Completed, udp.State);
        Assert.Equal(SipTransactionState.Terminated, tcp.State);
        Advance(4_999);
        Assert.Equal(1, _layer.Count);
        Advance(1);
        Assert.Equal(0, _layer.Count);
        Assert.Equal([0, 0], _sender.Times(SipMethods.Options));
    }

    [Fact]
    public async Task ATransportFailureEndsTheTransactionWith503()
    {
        _sender.Fail = true;

        var transaction = _layer.Send(Requests.Create(SipMethods.Invite), Requests.Udp);

        Assert.Equal(503, (await transaction.FinalResponse).StatusCode);
        Assert.True((await transaction.FinalResponse).IsLocal);
        Assert.Equal(0, _layer.Count);
    }

    [Fact]
    public void AResponseWithTwoViasIsDiscarded()
    {
        var transaction = _layer.Send(Requests.Create(SipMethods.Options), Requests.Udp);
        var response = Requests.Answer(transaction.Request, 200);
        response.Headers.Add(HeaderNames.Via, "SIP/2.0/UDP 192.0.2.99;branch=z9hG4bKother");

        _layer.Receive(new SipReceived(response, Requests.Flow()));

        Assert.False(transaction.FinalResponse.IsCompleted);
    }

    private void Advance(int milliseconds) => _time.Step(milliseconds);
}
