using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.RegularExpressions;
using Contacto.Carriers;
using Contacto.Carriers.Sip;
using Contacto.CarrierSim.Sip;
using Contacto.Server;
using Contacto.Sip.Transport;
using Contacto.Storage;
using Contacto.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace Contacto.Tests.Carriers;

[CollectionDefinition(nameof(SipServerTests), DisableParallelization = true)]
public sealed class SipServerTestsRunAlone;

/// <summary>
/// The server's SIP side as it runs: the embedded default's two simulated trunks carry calls over
/// TLS, and sources that are no trunk meet the edge: a bare 403 within a per-source rate, then
/// silence, every refusal counted on /metrics.
/// </summary>
/// <remarks>
/// Alone in its collection: OpenTelemetry's metric streams are matched by meter and instrument
/// name across the process, so another test's server that stops meanwhile ended the stream of
/// this server's refusal counter too, and /metrics lost its SIP lines (seen when run beside the
/// observability tests).
/// </remarks>
[Collection(nameof(SipServerTests))]
public sealed class SipServerTests
{
    static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task The_embedded_default_has_two_trunks_that_carry_calls_over_TLS_and_trunk_calls_in_are_refused_until_voice_exists()
    {
        using var storage = await TestStorage.CreateAsync(StorageProvider.Sqlite);
        await using var server = await RunningServer.StartAsync(storage);
        var pool = server.Services.GetRequiredService<CarrierPool>();
        var trunks = pool.Carriers.Where(c => c.Products.Contains(CarrierProducts.Voice)).ToList();
        Assert.Equal(SimulatedCarriers.TrunkNames, trunks.Select(c => c.Name));
        using (var deadline = new CancellationTokenSource(Patience))
            await Task.WhenAll(trunks.Select(t => t.Connection.WaitUntilReadyAsync(deadline.Token)));
        var simulated = server.Services.GetRequiredService<SimulatedCarriers>();
        var received = new List<ReceivedCall>();
        foreach (var name in SimulatedCarriers.TrunkNames)
            simulated.Trunk(name).CallReceived += call => { lock (received) received.Add(call); };

        var outcome = await Interop.PeerNode.CallAsync(server.Services.GetRequiredService<CarrierRouter>(), SipTrunkHarness.Call());

        Assert.Equal(CarrierOutcomeKind.Accepted, outcome.Kind);
        Assert.Contains(outcome.Carrier, SimulatedCarriers.TrunkNames);
        Assert.Equal(SipTransports.Tls, Assert.Single(received).Transport);
        await outcome.Call!.HangUpAsync();

        var node = server.Services.GetRequiredService<SipListeners>().Tls!;
        var placed = await simulated.Trunk("sim-trunk-a").CallAsync("+819012345678", "+351912000001", new SipTarget(SipTransports.Tls, node, "127.0.0.1"))
            .WaitAsync(Patience);
        Assert.Equal(480, placed.Status);
    }

    [Fact]
    public async Task Requests_from_a_source_that_is_no_trunk_get_a_bare_403_within_its_rate_then_nothing_and_every_refusal_is_counted()
    {
        using var storage = await TestStorage.CreateAsync(StorageProvider.Sqlite);
        await using var server = await RunningServer.StartAsync(storage, ["--Sip:Edge:RequestsPerSecond", "0.01", "--Sip:Edge:Burst", "5"]);
        var node = server.Services.GetRequiredService<SipListeners>().Udp!;
        using var scanner = Bound("127.0.0.2");
        using var other = Bound("127.0.0.3");
        string[] methods = ["OPTIONS", "REGISTER", "INVITE"];

        for (var i = 0; i < 30; i++)
            await scanner.SendToAsync(Request(methods[i % 3], i, scanner, node), node);
        await WaitForRefusalsAsync(server, 30);
        var answers = new List<string>();
        for (var i = 0; i < 5; i++)
            answers.Add(await ReceiveAsync(scanner));
        // Another source has a budget of its own; by its answer every answer to the first is in.
        await other.SendToAsync(Request("OPTIONS", 99, other, node), node);
        Assert.StartsWith("SIP/2.0 403 ", await ReceiveAsync(other));
        await WaitForRefusalsAsync(server, 31);

        Assert.Equal(0, scanner.Available);
        Assert.All(answers, a =>
        {
            Assert.StartsWith("SIP/2.0 403 ", a);
            Assert.DoesNotContain("Contacto", a); // nothing about this side: no Server, Contact or Allow
            Assert.DoesNotContain("Allow", a);
        });
        var metrics = await server.Ops.GetStringAsync("/metrics");
        Assert.Equal(6, Sum(metrics, "unknown_source"));
        Assert.Equal(25, Sum(metrics, "rate_limited"));
        Assert.Equal(10, Sum(metrics, "rate_limited", "REGISTER") + Sum(metrics, "unknown_source", "REGISTER"));
    }

    static Socket Bound(string address)
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        socket.Bind(new IPEndPoint(IPAddress.Parse(address), 0));
        return socket;
    }

    static byte[] Request(string method, int i, Socket from, IPEndPoint to)
    {
        var local = (IPEndPoint)from.LocalEndPoint!;
        return Encoding.ASCII.GetBytes(
            $"{method} sip:probe@{to} SIP/2.0\r\nVia: SIP/2.0/UDP {local};branch=z9hG4bK-scan-{i}\r\nMax-Forwards: 70\r\n"
            + $"From: <sip:scanner@{local.Address}>;tag=s{i}\r\nTo: <sip:probe@{to.Address}>\r\nCall-ID: scan-{i}@{local.Address}\r\n"
            + $"CSeq: 1 {method}\r\nContact: <sip:scanner@{local}>\r\nContent-Length: 0\r\n\r\n");
    }

    static async Task<string> ReceiveAsync(Socket socket)
    {
        var buffer = new byte[4096];
        var length = await socket.ReceiveAsync(buffer).WaitAsync(Patience);
        return Encoding.ASCII.GetString(buffer, 0, length);
    }

    static async Task WaitForRefusalsAsync(RunningServer server, int count)
    {
        var deadline = DateTime.UtcNow + Patience;
        while (await server.Ops.GetStringAsync("/metrics") is var metrics && Sum(metrics, "unknown_source") + Sum(metrics, "rate_limited") < count)
        {
            Assert.True(DateTime.UtcNow < deadline, $"fewer than {count} refusals counted:\n{string.Join('\n', metrics.Split('\n').Where(l => l.Contains("sip")))}");
            await Task.Delay(50);
        }
    }

    static long Sum(string metrics, string reason, string? method = null) =>
        Regex.Matches(metrics, $@"^contacto_sip_refusals_total\{{([^}}]*)\}} (\d+)", RegexOptions.Multiline)
            .Where(m => m.Groups[1].Value.Contains($"reason=\"{reason}\"") && (method is null || m.Groups[1].Value.Contains($"method=\"{method}\"")))
            .Sum(m => long.Parse(m.Groups[2].Value));
}
