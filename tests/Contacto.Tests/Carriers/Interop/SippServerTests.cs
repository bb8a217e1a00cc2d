using System.Net.Sockets;
using Contacto.Carriers;
using Contacto.Sip.Tests.Support;

namespace Contacto.Tests.Carriers.Interop;

/// <summary>
/// SIPp (Debian's sip-tester), a peer Contacto did not write, against the running server over UDP:
/// as a trunk that calls Contacto (its built-in uac; the calls are offered to the call sink and
/// answered), and as the trunk Contacto calls (its built-in uas). SIPp's exit code and statistics
/// say whether every call went through.
/// </summary>
public sealed class SippServerTests
{
    const int Calls = 10;

    [Fact]
    public async Task Sipp_calls_the_server_as_its_trunk_and_every_call_is_offered_answered_and_ended()
    {
        var sippPort = Sipp.FreePort(ProtocolType.Udp);
        await using var node = await PeerNode.StartAsync("sipp", sippPort);
        using var sipp = new Sipp();

        using var run = sipp.Start("-sn", "uac", node.Listeners.Udp!.ToString(), "-i", "127.0.0.1", "-p", sippPort.ToString(),
            "-s", "+351912000001", "-m", Calls.ToString(), "-r", "20", "-l", "10", "-aa");
        var result = await run.WaitAsync();

        Assert.True(result.ExitCode == 0, result.Output);
        Assert.Equal(Calls, result.Count("SuccessfulCall(C)"));
        Assert.Equal(Calls, node.Calls.Count);
        for (var i = 0; i < Calls; i++)
        {
            var answered = await node.Calls.NextAsync(PeerNode.Patience);
            Assert.Equal("+351912000001", answered.Offer.To);
            Assert.Equal(CallEnd.HungUpThere, await answered.Call.Ended.WaitAsync(PeerNode.Patience));
        }
    }

    [Fact]
    public async Task The_server_calls_sipp_as_its_trunk_and_every_call_is_answered_and_hung_up()
    {
        var sippPort = Sipp.FreePort(ProtocolType.Udp);
        using var sipp = new Sipp();
        using var run = sipp.Start("-sn", "uas", "-i", "127.0.0.1", "-p", sippPort.ToString(), "-aa");
        await using var node = await PeerNode.StartAsync("sipp", sippPort);
        await node.WaitForTrunkAsync();

        var outcomes = await Task.WhenAll(Enumerable.Range(0, Calls).Select(_ =>
            node.CallAsync(SipTrunkHarness.Call())));
        Assert.All(outcomes, o => Assert.Equal(("sipp", CarrierOutcomeKind.Accepted), (o.Carrier, o.Kind)));
        await Task.WhenAll(outcomes.Select(o => o.Call!.HangUpAsync()));

        // SIPp counts each keep-alive as a call of its own that never ends, so it is read, not waited for.
        var statistics = await run.StatisticsWhenAsync(s => Sipp.Result.Count(s, "SuccessfulCall(C)") >= Calls);
        Assert.Equal(Calls, Sipp.Result.Count(statistics, "SuccessfulCall(C)"));
        Assert.Equal(0, Sipp.Result.Count(statistics, "FailedCall(C)"));
    }
}
