using System.Net;
using System.Net.Sockets;
using Contacto.Sip.Dialogs;
using Contacto.Sip.Messages;
using Contacto.Sip.Tests.Support;
using Contacto.Sip.Transport;

namespace Contacto.Sip.Tests.Interop;

/// <summary>
/// SIPp, a peer Contacto did not write, against this library on loopback: SIPp's built-in UAC
/// calls a small UAS made of a <see cref="SipUserAgent"/> (INVITE, 180, 200, ACK, BYE), and a
/// <see cref="SipUserAgent"/> calls SIPp's built-in UAS; over UDP and TCP. SIPp's exit code and
/// statistics say whether every call went through.
/// </summary>
public sealed class SippInteropTests
{
    private const int Calls = 5;

    [Theory]
    [InlineData(SipTransports.Udp, "u1")]
    [InlineData(SipTransports.Tcp, "t1")]
    public async Task SippCallsAUasBuiltOnTheLibrary(string transport, string sippTransport)
    {
        await using var uas = new SipTransportLayer(new SipTransportOptions { Udp = Loopback.AnyPort, Tcp = Loopback.AnyPort });
        uas.Start();
        var agent = new SipUserAgent(uas, new SipUserAgentOptions { ContactUser = "uas" });
        var ended = 0;
        agent.IncomingCall = call =>
        {
            call.Ring();
            var dialog = call.Accept(Agents.Answer);
            dialog.Ended.ContinueWith(_ => Interlocked.Increment(ref ended), TaskScheduler.Default);
        };
        using var sipp = new Sipp();
        var port = uas.LocalEndPoint(transport)!.Port;

        using var run = sipp.Start("-sn", "uac", $"127.0.0.1:{port}", "-i", "127.0.0.1", "-p", Sipp.FreePort(Protocol(transport)).ToString(),
            "-t", sippTransport, "-m", Calls.ToString(), "-r", "5", "-l", "5");
        var result = await run.WaitAsync();

        Assert.True(result.ExitCode == 0, result.Output);
        Assert.Equal(Calls, result.Count("SuccessfulCall(C)"));
        Assert.Equal(0, result.Count("FailedCall(C)"));
        await Loopback.WaitForAsync(() => Volatile.Read(ref ended) == Calls && agent.DialogCount == 0);
    }

    [Theory]
    [InlineData(SipTransports.Udp, "u1")]
    [InlineData(SipTransports.Tcp, "t1")]
    public async Task TheLibraryCallsSippsUas(string transport, string sippTransport)
    {
        using var sipp = new Sipp();
        var sippPort = Sipp.FreePort(Protocol(transport));
        using var run = sipp.Start("-sn", "uas", "-i", "127.0.0.1", "-p", sippPort.ToString(), "-t", sippTransport, "-m", Calls.ToString());
        await using var uac = new SipTransportLayer(new SipTransportOptions { Udp = Loopback.AnyPort, Tcp = Loopback.AnyPort });
        uac.Start();
        var agent = new SipUserAgent(uac, new SipUserAgentOptions { ContactUser = "uac" });
        var target = new SipTarget(transport, new IPEndPoint(IPAddress.Loopback, sippPort));
        await WaitUntilListeningAsync(target);

        for (var i = 0; i < Calls; i++)
        {
            var ringing = new List<int>();
            var call = agent.Call(new SipCallOptions
            {
                RequestUri = SipUri.Parse($"sip:service@127.0.0.1:{sippPort}"),
                From = SipNameAddress.Parse("<sip:contacto@127.0.0.1>"),
                To = SipNameAddress.Parse($"<sip:service@127.0.0.1:{sippPort}>"),
                Target = target,
                Offer = Agents.Offer,
                Provisional = r => ringing.Add(r.StatusCode),
            });
            var (response, dialog) = await call.Completion.WaitAsync(Loopback.Patience);
            Assert.Equal(200, response.StatusCode);
            Assert.Equal([180], ringing);
            Assert.Equal(200, (await dialog!.ByeAsync().WaitAsync(Loopback.Patience)).StatusCode);
        }
        var result = await run.WaitAsync();

        Assert.True(result.ExitCode == 0, result.Output);
        Assert.Equal(Calls, result.Count("SuccessfulCall(C)"));
        Assert.Equal(0, result.Count("FailedCall(C)"));
        Assert.Equal(0, agent.DialogCount);
    }

    private static ProtocolType Protocol(string transport) => transport == SipTransports.Udp ? ProtocolType.Udp : ProtocolType.Tcp;

    /// <summary>
    /// SIPp takes a moment to open its socket: until then a TCP connect is refused, and binding its
    /// UDP port ourselves still succeeds.
    /// </summary>
    private static async Task WaitUntilListeningAsync(SipTarget target)
    {
        var deadline = DateTime.UtcNow + Loopback.Patience;
        while (!await IsListeningAsync(target))
        {
            Assert.True(DateTime.UtcNow < deadline, $"SIPp is not listening on {target.EndPoint} ({target.Transport})");
            await Task.Delay(50);
        }
    }

    private static async Task<bool> IsListeningAsync(SipTarget target)
    {
        if (target.Transport == SipTransports.Udp)
        {
            using var udp = new Socket(target.EndPoint.AddressFamily, SocketType.Dgram, ProtocolType.Udp);
            try
            {
                udp.Bind(target.EndPoint);
                return false;
            }
            catch (SocketException e) when (e.SocketErrorCode == SocketError.AddressAlreadyInUse)
            {
                return true;
            }
        }
        using var probe = new TcpClient();
        try
        {
            await probe.ConnectAsync(target.EndPoint);
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }
}
