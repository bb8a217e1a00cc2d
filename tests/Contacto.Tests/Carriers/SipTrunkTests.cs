using System.Collections.Concurrent;
using Contacto.Carriers;
using Contacto.Carriers.Sip;
using Contacto.CarrierSim.Sip;
using Contacto.Sip.Dialogs;
using Contacto.Status;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace Contacto.Tests.Carriers;

/// <summary>
/// SIP trunks behind the router: calls out and in, digest both ways, keep-alives, and failover
/// only where nothing can have reached the callee. The trunks are simulators on real UDP sockets.
/// </summary>
public sealed class SipTrunkTests
{
    static readonly TimeSpan Patience = TimeSpan.FromSeconds(20);

    [Fact]
    public async Task A_call_goes_out_through_a_trunk_rings_is_answered_and_hangs_up()
    {
        await using var node = await SipTrunkHarness.StartAsync(["a"]);
        var received = new ConcurrentQueue<ReceivedCall>();
        node["a"].CallReceived += received.Enqueue;
        var progress = new ConcurrentQueue<CallProgress>();

        var outcome = await node.Router.SendAsync("PT", SipTrunkHarness.Call(progress), CancellationToken.None).WaitAsync(Patience);

        Assert.Equal(CarrierOutcomeKind.Accepted, outcome.Kind);
        Assert.Equal("a", outcome.Carrier);
        Assert.Equal([CallProgressKind.Ringing], progress.Select(p => p.Kind));
        var call = Assert.Single(received);
        Assert.Equal(("+351912000001", "+351913000001"), (call.From, call.To));
        Assert.Contains("m=audio", System.Text.Encoding.ASCII.GetString(outcome.Call!.RemoteMedia.Span));
        await outcome.Call.HangUpAsync();
        Assert.Equal(CallEnd.HungUpHere, await outcome.Call.Ended.WaitAsync(Patience));
        await Eventually.HoldsAsync(() => node["a"].Statistics.EndedByCaller == 1 && node["a"].ActiveCalls == 0, "the trunk saw the BYE");
    }

    [Theory]
    [InlineData(408)]
    [InlineData(500)]
    [InlineData(503)]
    public async Task A_call_moves_to_the_next_trunk_when_the_first_fails_before_anything_reached_the_callee(int status)
    {
        await using var node = await SipTrunkHarness.StartAsync(["a", "b"],
            simulated: name => new SipTrunkSimulatorOptions { TcpPort = null, RejectStatus = name == "a" ? status : null });

        var outcome = await node.Router.SendAsync("PT", SipTrunkHarness.Call(), CancellationToken.None).WaitAsync(Patience);

        Assert.Equal("b", outcome.Carrier);
        Assert.Equal(CarrierOutcomeKind.Accepted, outcome.Kind);
        Assert.Equal((1, 1), (node["a"].Statistics.Invites, node["b"].Statistics.Invites));
        await outcome.Call!.HangUpAsync();
    }

    [Fact]
    public async Task A_503_with_Retry_After_rests_the_trunk_so_later_calls_go_straight_to_the_next()
    {
        await using var node = await SipTrunkHarness.StartAsync(["a", "b"],
            simulated: name => new SipTrunkSimulatorOptions { TcpPort = null, RejectStatus = name == "a" ? 503 : null, RetryAfterSeconds = 30 });

        Assert.Equal("b", (await node.Router.SendAsync("PT", SipTrunkHarness.Call(), CancellationToken.None).WaitAsync(Patience)).Carrier);
        Assert.False(node.Carrier("a").Connection.IsReady);
        Assert.Equal("b", (await node.Router.SendAsync("PT", SipTrunkHarness.Call(), CancellationToken.None).WaitAsync(Patience)).Carrier);

        Assert.Equal(1, node["a"].Statistics.Invites);
        Assert.Equal(2, node["b"].Statistics.Invites);
    }

    public static TheoryData<int, bool, bool, CarrierError> FinalRefusals => new()
    {
        { 486, false, false, CarrierError.Busy },
        { 603, false, false, CarrierError.Declined },
        { 404, false, false, CarrierError.InvalidDestination },
        { 500, true, false, CarrierError.NetworkError },  // after 180 Ringing
        { 503, false, true, CarrierError.NetworkError },  // after 183 with SDP (early media)
    };

    [Theory]
    [MemberData(nameof(FinalRefusals))]
    public async Task A_callee_that_is_busy_declines_does_not_exist_or_was_rung_is_never_called_through_another_trunk(
        int status, bool ringFirst, bool earlyMediaFirst, CarrierError error)
    {
        await using var node = await SipTrunkHarness.StartAsync(["a", "b"], simulated: name => new SipTrunkSimulatorOptions
        {
            TcpPort = null,
            RejectStatus = name == "a" ? status : null,
            RingFor = ringFirst || earlyMediaFirst ? TimeSpan.FromMilliseconds(50) : TimeSpan.Zero,
            EarlyMedia = earlyMediaFirst,
        });
        var progress = new ConcurrentQueue<CallProgress>();

        var outcome = await node.Router.SendAsync("PT", SipTrunkHarness.Call(progress), CancellationToken.None).WaitAsync(Patience);

        Assert.Equal(CarrierOutcomeKind.Refused, outcome.Kind);
        Assert.Equal(error, outcome.Error);
        Assert.Equal(1, node["a"].Statistics.Invites);
        Assert.Equal(0, node["b"].Statistics.Invites);
        Assert.Equal(earlyMediaFirst ? [CallProgressKind.EarlyMedia] : ringFirst ? [CallProgressKind.Ringing] : [], progress.Select(p => p.Kind));
        // A callee who declines is no failure of the trunk's.
        Assert.True(node.Carrier("a").Connection.IsReady);
    }

    [Fact]
    public async Task A_silent_trunk_is_left_within_a_second_and_the_call_waiting_on_it_goes_to_the_next_trunk()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        // b's keep-alives a second apart, so that no answer of b's can be in flight when the clock moves.
        await using var node = await SipTrunkHarness.StartAsync(["a", "b"], time: time,
            trunkSettings: name => new Dictionary<string, string> { ["Countries:0"] = "PT", ["Sip:KeepAliveMilliseconds"] = name == "a" ? "400" : "1000" });
        node["a"].Options = node["a"].Options with { Silent = true };

        var calling = node.Router.SendAsync("PT", SipTrunkHarness.Call(), CancellationToken.None);
        await Eventually.HoldsAsync(() => node["a"].Statistics.Dropped == 1, "the INVITE reached the silent trunk");
        time.Advance(TimeSpan.FromMilliseconds(400));
        // The next keep-alive goes out a keep-alive interval later.
        await Eventually.HoldsAsync(() => node["a"].Statistics.Dropped == 2, "the keep-alive went out");
        Assert.False(calling.IsCompleted);
        Assert.True(node.Carrier("a").Connection.IsReady);
        time.Advance(TimeSpan.FromMilliseconds(400));

        var outcome = await calling.WaitAsync(Patience);
        Assert.Equal("b", outcome.Carrier);
        Assert.Equal(CarrierOutcomeKind.Accepted, outcome.Kind);
        var link = Assert.Single(node.Carrier("a").Connection.Links);
        Assert.False(link.IsUp);
        Assert.Contains("no answer to OPTIONS", link.Problem);
        // 800 ms of the node's clock passed in all: the trunk was left, and the call moved, within a second.
        Assert.Equal(TimeSpan.FromMilliseconds(800), time.GetUtcNow() - time.Start);
        var health = await node.Services.GetServices<IComponentStatusSource>().OfType<CarrierHealthSource>().Single().ObserveAsync(CancellationToken.None);
        Assert.Equal(ComponentStatus.DegradedPerformance, Assert.Single(health, o => o.Subject == "voice:PT").Status);
        await outcome.Call!.HangUpAsync();
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_trunk_that_dies_with_a_call_on_it_passes_the_call_on_unless_the_callee_was_rung(bool rang)
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var node = await SipTrunkHarness.StartAsync(["a", "b"], time: time,
            simulated: name => new SipTrunkSimulatorOptions { TcpPort = null, NeverAnswer = name == "a", Ring = rang },
            trunkSettings: name => new Dictionary<string, string> { ["Sip:KeepAliveMilliseconds"] = name == "a" ? "400" : "1000" });
        var progress = new ConcurrentQueue<CallProgress>();

        var calling = node.Router.SendAsync("PT", SipTrunkHarness.Call(progress), CancellationToken.None);
        await Eventually.HoldsAsync(() => node["a"].Statistics.Invites == 1 && (!rang || !progress.IsEmpty), "the trunk has the call");
        node["a"].Options = node["a"].Options with { Silent = true };
        time.Advance(TimeSpan.FromMilliseconds(400));
        await Eventually.HoldsAsync(() => node["a"].Statistics.Dropped >= 1, "a keep-alive went unanswered");
        time.Advance(TimeSpan.FromMilliseconds(400));

        var outcome = await calling.WaitAsync(Patience);
        if (rang)
        {
            Assert.Equal(CarrierOutcomeKind.Refused, outcome.Kind);
            Assert.Equal(CarrierError.TemporarilyUnavailable, outcome.Error);
            Assert.Equal(0, node["b"].Statistics.Invites);
        }
        else
        {
            Assert.Equal("b", outcome.Carrier);
            await outcome.Call!.HangUpAsync();
        }
    }

    [Fact]
    public async Task On_the_real_clock_a_trunk_that_goes_silent_while_its_calls_ring_is_always_left_and_those_calls_end()
    {
        // System timers may fire a little before their time; the trunk must be left all the same, every time.
        for (var round = 0; round < 3; round++)
        {
            await using var node = await SipTrunkHarness.StartAsync(["a", "b"], time: TimeProvider.System,
                simulated: _ => new SipTrunkSimulatorOptions { TcpPort = null, RingFor = TimeSpan.FromSeconds(1) });
            var calls = new List<Task<CarrierOutcome>>();
            for (var i = 0; i < 5; i++)
                calls.Add(node.Router.SendAsync("PT", SipTrunkHarness.Call(), CancellationToken.None));
            await Eventually.HoldsAsync(() => node["a"].Statistics.Invites == 5, "the calls ring at a");
            node["a"].Options = node["a"].Options with { Silent = true };

            var outcomes = await Task.WhenAll(calls).WaitAsync(Patience);

            Assert.False(node.Carrier("a").Connection.IsReady);
            Assert.All(outcomes, o => Assert.Equal((CarrierOutcomeKind.Refused, CarrierError.TemporarilyUnavailable), (o.Kind, o.Error)));
            Assert.Equal(0, node["b"].Statistics.Invites);
        }
    }

    [Theory]
    [InlineData("SHA-256")]
    [InlineData("MD5")]
    public async Task A_trunk_that_challenges_gets_a_digest_answer(string algorithm)
    {
        var credentials = new SipCredentials("contacto-trunk", "s3cret-trunk-password");
        await using var node = await SipTrunkHarness.StartAsync(["a"],
            simulated: _ => new SipTrunkSimulatorOptions { TcpPort = null, Credentials = credentials, DigestAlgorithm = algorithm },
            trunkSettings: _ => new Dictionary<string, string> { ["Sip:UserName"] = credentials.UserName, ["Sip:Password"] = credentials.Password });
        var received = new ConcurrentQueue<ReceivedCall>();
        node["a"].CallReceived += received.Enqueue;

        var outcome = await node.Router.SendAsync("PT", SipTrunkHarness.Call(), CancellationToken.None).WaitAsync(Patience);

        Assert.Equal(CarrierOutcomeKind.Accepted, outcome.Kind);
        Assert.Equal(1, node["a"].Statistics.Challenged);
        Assert.True(Assert.Single(received).Authenticated);
        Assert.DoesNotContain(node.Logs.Lines, l => l.Contains(credentials.Password));
        await outcome.Call!.HangUpAsync();
    }

    [Fact]
    public async Task A_trunk_s_call_is_challenged_then_offered_to_the_call_sink_and_a_wrong_answer_is_refused()
    {
        var sink = new AnsweringSink();
        await using var node = await SipTrunkHarness.StartAsync(["a"], calls: sink,
            trunkSettings: _ => new Dictionary<string, string> { ["Sip:Inbound:UserName"] = "carrier-a", ["Sip:Inbound:Password"] = "inbound-secret" });

        var unanswered = await node["a"].CallAsync("+351913000009", "+351912000001", node.Node).WaitAsync(Patience);
        var wrong = await node["a"].CallAsync("+351913000009", "+351912000001", node.Node, new SipCredentials("carrier-a", "guess")).WaitAsync(Patience);
        var placed = await node["a"].CallAsync("+351913000009", "+351912000001", node.Node, new SipCredentials("carrier-a", "inbound-secret")).WaitAsync(Patience);

        Assert.Equal((401, 403, 200), (unanswered.Status, wrong.Status, placed.Status));
        var (offered, call, _) = await sink.NextAsync(Patience);
        Assert.Equal(1, sink.Count);
        Assert.Equal(("a", "+351913000009", "+351912000001"), (offered.Carrier, offered.From, offered.To));
        Assert.Contains("m=audio", System.Text.Encoding.ASCII.GetString(call.RemoteMedia.Span));
        await placed.Dialog!.ByeAsync();
        Assert.Equal(CallEnd.HungUpThere, await call.Ended.WaitAsync(Patience));
    }

    [Fact]
    public async Task Without_a_voice_capability_a_trunk_s_call_is_refused_as_temporarily_unavailable()
    {
        await using var node = await SipTrunkHarness.StartAsync(["a"]);

        var placed = await node["a"].CallAsync("+351913000009", "+351912000001", node.Node).WaitAsync(Patience);

        Assert.Equal(480, placed.Status);
    }

    [Fact]
    public async Task Once_the_node_begins_to_stop_a_trunk_s_new_call_is_refused_503()
    {
        await using var node = await SipTrunkHarness.StartAsync(["a"], calls: new AnsweringSink());
        var listener = node.Services.GetServices<Microsoft.Extensions.Hosting.IHostedService>().OfType<SipListener>().Single();

        await listener.StoppingAsync(CancellationToken.None);
        var placed = await node["a"].CallAsync("+351913000009", "+351912000001", node.Node).WaitAsync(Patience);

        Assert.Equal(503, placed.Status);
    }

    [Fact]
    public async Task Trunks_added_and_removed_by_configuration_take_and_leave_calls_without_a_restart()
    {
        await using var node = await SipTrunkHarness.StartAsync(["a", "b"]);
        var both = node.Pool.Settings;
        var onlyB = new CarriersOptions { List = [.. both.List.Where(c => c.Name == "b")] };

        await node.Pool.ApplyAsync(onlyB, CancellationToken.None);
        var outcome = await node.Router.SendAsync("PT", SipTrunkHarness.Call(), CancellationToken.None).WaitAsync(Patience);
        Assert.Equal("b", outcome.Carrier);
        await outcome.Call!.HangUpAsync();

        await node.Pool.ApplyAsync(both, CancellationToken.None);
        await node.WaitUntilUpAsync("a");
        outcome = await node.Router.SendAsync("PT", SipTrunkHarness.Call(), CancellationToken.None).WaitAsync(Patience);
        Assert.Equal("a", outcome.Carrier);
        await outcome.Call!.HangUpAsync();
    }
}
