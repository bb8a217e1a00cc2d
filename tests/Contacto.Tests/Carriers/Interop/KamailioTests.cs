using System.Net;
using System.Net.Sockets;
using Contacto.Carriers;
using Contacto.CarrierSim.Sip;
using Contacto.Sip.Tests.Support;
using Contacto.Sip.Transport;
using Contacto.Testing;

namespace Contacto.Tests.Carriers.Interop;

/// <summary>
/// Kamailio (Debian's) as the proxy in front, as the README sets it up: its dispatcher spreads
/// calls from outside (SIPp) over two Contacto nodes, and the nodes' calls over two trunks, with
/// failover on a trunk's 503. Contacto's trunk is Kamailio; record-routing puts Kamailio on
/// every in-dialog request, so ACK and BYE follow route sets both ways.
/// </summary>
public sealed class KamailioTests
{
    [Fact]
    public async Task Kamailio_spreads_calls_over_Contacto_nodes_and_their_calls_over_trunks_with_failover()
    {
        var kamailioPort = PeerNode.FreePort();
        await using var first = await PeerNode.StartAsync("kamailio", kamailioPort);
        await using var second = await PeerNode.StartAsync("kamailio", kamailioPort);
        await using var trunkA = Trunk();
        await using var trunkB = Trunk();
        using var kamailio = Kamailio.Start(kamailioPort, [first.Listeners.Udp!, second.Listeners.Udp!],
            [new IPEndPoint(IPAddress.Loopback, trunkA.Port(SipTransports.Udp)), new IPEndPoint(IPAddress.Loopback, trunkB.Port(SipTransports.Udp))]);
        await Task.WhenAll(first.WaitForTrunkAsync(), second.WaitForTrunkAsync());

        // Out: each node's calls reach the trunks through Kamailio, round robin; hanging up goes back through it.
        foreach (var node in new[] { first, second, first, second })
        {
            var outcome = await node.CallAsync(SipTrunkHarness.Call());
            Assert.True(outcome.Kind == CarrierOutcomeKind.Accepted, kamailio.HasExited ? kamailio.Log : outcome.ToString());
            await outcome.Call!.HangUpAsync();
        }
        Assert.Equal(4, trunkA.Statistics.Answered + trunkB.Statistics.Answered);
        Assert.True(trunkA.Statistics.Answered > 0 && trunkB.Statistics.Answered > 0, "both trunks took calls");
        await Eventually.HoldsAsync(() => trunkA.Statistics.EndedByCaller + trunkB.Statistics.EndedByCaller == 4, "every BYE reached its trunk through Kamailio");

        // A trunk that answers 503 gets the call moved to the other by Kamailio: Contacto sees it answered.
        trunkA.Options = trunkA.Options with { RejectStatus = 503 };
        var answeredByB = trunkB.Statistics.Answered;
        for (var i = 0; i < 2; i++)
        {
            var outcome = await first.CallAsync(SipTrunkHarness.Call());
            Assert.Equal(CarrierOutcomeKind.Accepted, outcome.Kind);
            await outcome.Call!.HangUpAsync();
        }
        Assert.Equal(answeredByB + 2, trunkB.Statistics.Answered);
        Assert.True(trunkA.Statistics.Rejected >= 1);

        // In: SIPp calls Kamailio, which spreads the calls over both nodes.
        using var sipp = new Sipp();
        using var run = sipp.Start("-sf", Path.Combine(AppContext.BaseDirectory, "Carriers", "Interop", "uac-via-proxy.xml"), kamailio.EndPoint.ToString(),
            "-i", "127.0.0.1", "-p", Sipp.FreePort(ProtocolType.Udp).ToString(), "-s", "+351912000001", "-m", "6", "-r", "10", "-l", "6");
        var result = await run.WaitAsync();
        Assert.True(result.ExitCode == 0, result.Output);
        Assert.Equal(6, result.Count("SuccessfulCall(C)"));
        Assert.Equal((3, 3), (first.Calls.Count, second.Calls.Count));
    }

    static SipTrunkSimulator Trunk()
    {
        var trunk = new SipTrunkSimulator(new SipTrunkSimulatorOptions { TcpPort = null });
        trunk.Start();
        return trunk;
    }
}
