using System.Text;
using Contacto.Sip.Dialogs;
using Contacto.Sip.Messages;
using Contacto.Sip.Tests.Support;
using Contacto.Sip.Transport;

namespace Contacto.Sip.Tests.Dialogs;

/// <summary>Two user agents on loopback sockets: calls, re-INVITE, CANCEL, BYE, INFO, REFER, OPTIONS.</summary>
public sealed class CallTests
{
    [Theory]
    [InlineData(SipTransports.Udp)]
    [InlineData(SipTransports.Tcp)]
    [InlineData(SipTransports.Tls)]
    public async Task ACallRingsIsAnsweredAcknowledgedAndHungUp(string transport)
    {
        await using var agents = Agents.Start(transport);
        var bobDialog = new TaskCompletionSource<SipDialog>(TaskCreationOptions.RunContinuationsAsynchronously);
        SipRequest? invite = null;
        agents.Bob.IncomingCall = call =>
        {
            invite = call.Request;
            call.Ring();
            bobDialog.SetResult(call.Accept(Agents.Answer));
        };
        var provisional = new List<int>();

        var call = agents.Alice.Call(agents.CallOptions() with { Provisional = r => provisional.Add(r.StatusCode) });
        var (response, aliceDialog) = await call.Completion.WaitAsync(Loopback.Patience);
        var bob = await bobDialog.Task.WaitAsync(Loopback.Patience);
        await bob.Confirmed.WaitAsync(Loopback.Patience);
        var bye = await aliceDialog!.ByeAsync().WaitAsync(Loopback.Patience);

        Assert.Equal(200, response.StatusCode);
        Assert.Equal(Agents.Answer, response.Body);
        Assert.Equal(Agents.Offer, invite!.Body);
        Assert.Equal([180], provisional);
        Assert.Equal(SipDialogState.Confirmed, aliceDialog.State == SipDialogState.Terminated ? SipDialogState.Confirmed : aliceDialog.State);
        Assert.Equal((aliceDialog.CallId, aliceDialog.LocalTag, aliceDialog.RemoteTag), (bob.CallId, bob.RemoteTag, bob.LocalTag));
        Assert.Equal(200, bye.StatusCode);
        Assert.Equal(SipDialogEnd.RemoteBye, await bob.Ended.WaitAsync(Loopback.Patience));
        Assert.Equal(0, agents.Alice.DialogCount);
        Assert.Equal(0, agents.Bob.DialogCount);
    }

    [Theory]
    [InlineData(SipTransports.Udp)]
    [InlineData(SipTransports.Tcp)]
    public async Task HoldAndResumeByReinvite(string transport)
    {
        await using var agents = Agents.Start(transport);
        var (alice, bob) = await agents.EstablishAsync();
        var seen = new List<string>();
        bob.RequestReceived = request =>
        {
            var sdp = Encoding.UTF8.GetString(request.Request.Body);
            seen.Add(sdp.Contains("a=sendonly") ? "hold" : "resume");
            request.Respond(200, body: Encoding.UTF8.GetBytes(sdp.Contains("a=sendonly") ? "a=recvonly" : "a=sendrecv"));
        };
        var hold = Encoding.UTF8.GetBytes(Encoding.UTF8.GetString(Agents.Offer).Replace("a=sendrecv", "a=sendonly"));

        var held = await alice.ReinviteAsync(hold).WaitAsync(Loopback.Patience);
        var resumed = await alice.ReinviteAsync(Agents.Offer).WaitAsync(Loopback.Patience);

        Assert.Equal(["hold", "resume"], seen);
        Assert.Equal("a=recvonly", Encoding.UTF8.GetString(held.Body));
        Assert.Equal("a=sendrecv", Encoding.UTF8.GetString(resumed.Body));
        Assert.Equal(alice.LocalSequence, bob.RemoteSequence);
        Assert.Equal(SipDialogState.Confirmed, bob.State);
    }

    [Theory]
    [InlineData(SipTransports.Udp)]
    [InlineData(SipTransports.Tcp)]
    public async Task ACancelledCallEnds487OnBothSides(string transport)
    {
        await using var agents = Agents.Start(transport);
        var ringing = new TaskCompletionSource<SipIncomingCall>(TaskCreationOptions.RunContinuationsAsynchronously);
        agents.Bob.IncomingCall = call =>
        {
            call.Ring();
            ringing.SetResult(call);
        };

        var call = agents.Alice.Call(agents.CallOptions());
        var incoming = await ringing.Task.WaitAsync(Loopback.Patience);
        await call.CancelAsync();
        var (response, dialog) = await call.Completion.WaitAsync(Loopback.Patience);

        await incoming.Cancelled.WaitAsync(Loopback.Patience);
        Assert.Equal(487, response.StatusCode);
        Assert.Null(dialog);
        Assert.Throws<InvalidOperationException>(() => incoming.Accept(Agents.Answer));
    }

    [Fact]
    public async Task ACancelAskedBeforeAnyProvisionalWaitsForOne()
    {
        await using var agents = Agents.Start(SipTransports.Udp);
        var invited = new TaskCompletionSource<SipIncomingCall>(TaskCreationOptions.RunContinuationsAsynchronously);
        agents.Bob.IncomingCall = invited.SetResult;

        var call = agents.Alice.Call(agents.CallOptions());
        await call.CancelAsync();
        var incoming = await invited.Task.WaitAsync(Loopback.Patience);
        incoming.Ring();

        Assert.Equal(487, (await call.Completion.WaitAsync(Loopback.Patience)).Response.StatusCode);
    }

    [Fact]
    public async Task ProceedingCompletesAtTheFirstProvisionalResponseOnly()
    {
        await using var agents = Agents.Start(SipTransports.Udp);
        var invited = new TaskCompletionSource<SipIncomingCall>(TaskCreationOptions.RunContinuationsAsynchronously);
        agents.Bob.IncomingCall = invited.SetResult;

        var call = agents.Alice.Call(agents.CallOptions());
        var incoming = await invited.Task.WaitAsync(Loopback.Patience);
        Assert.False(call.Proceeding.IsCompleted);
        incoming.Respond(incoming.CreateResponse(100));

        await call.Proceeding.WaitAsync(Loopback.Patience);
        Assert.False(call.Completion.IsCompleted);
        incoming.Reject(486);
        Assert.Equal(486, (await call.Completion.WaitAsync(Loopback.Patience)).Response.StatusCode);
    }

    [Fact]
    public async Task EarlyMediaArrivesInAProvisionalResponse()
    {
        await using var agents = Agents.Start(SipTransports.Udp);
        agents.Bob.IncomingCall = call =>
        {
            call.Ring(183, Agents.Answer);
            call.Reject(486);
        };
        var early = new List<SipResponse>();

        var call = agents.Alice.Call(agents.CallOptions() with { Provisional = early.Add });
        var (response, _) = await call.Completion.WaitAsync(Loopback.Patience);

        Assert.Equal(486, response.StatusCode);
        Assert.True(call.HadEarlyMedia);
        Assert.Equal(Agents.Answer, Assert.Single(early).Body);
        Assert.NotNull(early[0].To.Tag);
    }

    [Fact]
    public async Task InfoReferAndOptionsInsideADialog()
    {
        await using var agents = Agents.Start(SipTransports.Udp);
        var (alice, bob) = await agents.EstablishAsync();
        var received = new List<SipRequest>();
        bob.RequestReceived = request =>
        {
            received.Add(request.Request);
            request.Respond(request.Request.Method == SipMethods.Refer ? 202 : 200);
        };

        var info = await alice.SendAsync(SipMethods.Info, "Signal=5\r\nDuration=160\r\n"u8.ToArray(), "application/dtmf-relay").WaitAsync(Loopback.Patience);
        var refer = await alice.ReferAsync(SipUri.Parse("sip:carol@127.0.0.1")).WaitAsync(Loopback.Patience);
        var options = await alice.SendAsync(SipMethods.Options).WaitAsync(Loopback.Patience);
        var notify = await bob.SendAsync(SipMethods.Notify, "SIP/2.0 200 OK\r\n"u8.ToArray(), "message/sipfrag",
            [new(HeaderNames.Event, "refer")]).WaitAsync(Loopback.Patience);

        Assert.Equal([200, 202, 200, 200], new[] { info, refer, options, notify }.Select(r => r.StatusCode));
        Assert.Equal([SipMethods.Info, SipMethods.Refer, SipMethods.Options], received.Select(r => r.Method));
        Assert.Equal("<sip:carol@127.0.0.1>", received[1].Headers.Get(HeaderNames.ReferTo));
        Assert.Equal("application/dtmf-relay", received[0].ContentType);
    }

    [Fact]
    public async Task RequestsForUnknownDialogsGet481AndOutOfOrderCSeq500()
    {
        await using var agents = Agents.Start(SipTransports.Udp);
        var (alice, bob) = await agents.EstablishAsync();
        var target = Loopback.Target(agents.BobTransport, SipTransports.Udp);

        var stray = agents.Alice.CreateRequest(SipMethods.Bye, bob.LocalParty.Uri, alice.LocalParty, bob.LocalParty.WithTag("nope"));
        var unknown = await agents.Alice.SendAsync(stray, target).WaitAsync(Loopback.Patience);
        var old = agents.Alice.CreateRequest(SipMethods.Info, bob.LocalParty.Uri, alice.LocalParty, alice.RemoteParty);
        old.Headers.Set(HeaderNames.CallId, alice.CallId);
        old.Headers.Set(HeaderNames.CSeq, $"1 {SipMethods.Info}");
        var outOfOrder = await agents.Alice.SendAsync(old, target).WaitAsync(Loopback.Patience);

        Assert.Equal(481, unknown.StatusCode);
        Assert.Equal(500, outOfOrder.StatusCode);
    }

    [Fact]
    public async Task OptionsOutsideADialogAreAnsweredWithWhatIsAllowed()
    {
        await using var agents = Agents.Start(SipTransports.Tcp);
        var options = agents.Alice.CreateRequest(SipMethods.Options, SipUri.Parse("sip:bob@127.0.0.1"),
            SipNameAddress.Parse("<sip:alice@127.0.0.1>"), SipNameAddress.Parse("<sip:bob@127.0.0.1>"));

        var response = await agents.Alice.SendAsync(options, agents.BobTarget).WaitAsync(Loopback.Patience);

        Assert.Equal(200, response.StatusCode);
        Assert.Contains(SipMethods.Invite, response.Headers.GetValues(HeaderNames.Allow));
    }

    [Fact]
    public async Task AProbeOfASilentPeerEndsAtTheCallersDeadlineNotAtTimerF()
    {
        await using var agents = Agents.Start(SipTransports.Udp);
        using var silent = new System.Net.Sockets.UdpClient(new System.Net.IPEndPoint(System.Net.IPAddress.Loopback, 0));
        var options = agents.Alice.CreateRequest(SipMethods.Options, SipUri.Parse("sip:trunk@127.0.0.1"),
            SipNameAddress.Parse("<sip:alice@127.0.0.1>"), SipNameAddress.Parse("<sip:trunk@127.0.0.1>"));
        using var deadline = new CancellationTokenSource(TimeSpan.FromMilliseconds(300));
        var started = System.Diagnostics.Stopwatch.StartNew();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() =>
            agents.Alice.SendAsync(options, new SipTarget(SipTransports.Udp, (System.Net.IPEndPoint)silent.Client.LocalEndPoint!), cancellationToken: deadline.Token));

        Assert.InRange(started.Elapsed, TimeSpan.FromMilliseconds(250), TimeSpan.FromSeconds(5));
        Assert.True((await silent.ReceiveAsync().WaitAsync(Loopback.Patience)).Buffer.Length > 0);
    }

    [Fact]
    public async Task WithoutAHandlerCallsAreRefused480()
    {
        await using var agents = Agents.Start(SipTransports.Udp);

        var (response, dialog) = await agents.Alice.Call(agents.CallOptions()).Completion.WaitAsync(Loopback.Patience);

        Assert.Equal(480, response.StatusCode);
        Assert.Null(dialog);
    }

    [Fact]
    public async Task ARecordRouteBecomesTheRouteSetOfBothSides()
    {
        await using var agents = Agents.Start(SipTransports.Udp);
        var bobPort = agents.BobTarget.EndPoint.Port;
        var bobDialog = new TaskCompletionSource<SipDialog>(TaskCreationOptions.RunContinuationsAsynchronously);
        SipRequest? bye = null;
        agents.Bob.IncomingCall = call => bobDialog.SetResult(call.Accept(Agents.Answer));
        var options = agents.CallOptions() with { Headers = [new(HeaderNames.RecordRoute, $"<sip:127.0.0.1:{bobPort};lr>")] };

        var (_, alice) = await agents.Alice.Call(options).Completion.WaitAsync(Loopback.Patience);
        var bob = await bobDialog.Task.WaitAsync(Loopback.Patience);
        await bob.Confirmed.WaitAsync(Loopback.Patience);
        bob.RequestReceived = r => r.Respond(200);
        agents.Bob.Transactions.RequestReceived += t => bye ??= t.Request;
        await alice!.ByeAsync().WaitAsync(Loopback.Patience);

        Assert.Equal($"sip:127.0.0.1:{bobPort};lr", Assert.Single(alice.RouteSet).Uri.ToString());
        Assert.Equal($"sip:127.0.0.1:{bobPort};lr", Assert.Single(bob.RouteSet).Uri.ToString());
        Assert.Equal(SipDialogEnd.RemoteBye, await bob.Ended.WaitAsync(Loopback.Patience));
    }
}
