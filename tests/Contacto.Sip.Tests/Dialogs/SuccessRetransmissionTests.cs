using System.Net;
using System.Net.Sockets;
using System.Text;
using Contacto.Sip.Dialogs;
using Contacto.Sip.Messages;
using Contacto.Sip.Tests.Support;
using Contacto.Sip.Tests.Transport;
using Contacto.Sip.Transport;
using Microsoft.Extensions.Time.Testing;

namespace Contacto.Sip.Tests.Dialogs;

/// <summary>RFC 3261 13.3.1.4 on a fake clock over a real socket: the 2xx again at T1, 2T1, ... capped at T2, until the ACK or 64*T1.</summary>
public sealed class SuccessRetransmissionTests
{
    private static readonly int[] Retransmissions = [500, 1500, 3500, 7500, 11500, 15500, 19500, 23500, 27500, 31500];

    [Fact]
    public async Task WithoutAnAckThe2xxIsRetransmittedUntil64T1AndTheDialogEndsWithBye()
    {
        var time = new FakeTimeProvider();
        await using var callee = await StartCalleeAsync(time);
        using var caller = new UdpClient(new IPEndPoint(IPAddress.Loopback, 0));
        var (dialogs, uasEndPoint) = callee.Value;

        await caller.SendAsync(Invite(caller), uasEndPoint);
        Assert.StartsWith("SIP/2.0 200", await NextAsync(caller));
        var elapsed = 0;
        foreach (var at in Retransmissions)
        {
            time.Step(at - 1 - elapsed);
            Assert.Null(await NextAsync(caller, TimeSpan.FromMilliseconds(50)));
            time.Step(1);
            elapsed = at;
            Assert.StartsWith("SIP/2.0 200", await NextAsync(caller));
        }
        time.Step(32_000 - 1 - elapsed);
        Assert.Null(await NextAsync(caller, TimeSpan.FromMilliseconds(50)));
        time.Step(1);

        Assert.StartsWith("BYE ", await NextAsync(caller));
        Assert.Equal(SipDialogEnd.NoAck, await (await dialogs.Task).Ended.WaitAsync(Loopback.Patience));
    }

    [Fact]
    public async Task TheAckStopsTheRetransmissions()
    {
        var time = new FakeTimeProvider();
        await using var callee = await StartCalleeAsync(time);
        using var caller = new UdpClient(new IPEndPoint(IPAddress.Loopback, 0));
        var (dialogs, uasEndPoint) = callee.Value;

        await caller.SendAsync(Invite(caller), uasEndPoint);
        var ok = SipMessageParser.Parse(Encoding.UTF8.GetBytes((await NextAsync(caller))!)).Message!;
        time.Step(500);
        Assert.StartsWith("SIP/2.0 200", await NextAsync(caller));
        await caller.SendAsync(Ack(caller, ok), uasEndPoint);
        var dialog = await dialogs.Task.WaitAsync(Loopback.Patience);
        await dialog.Confirmed.WaitAsync(Loopback.Patience);
        time.Step(40_000);

        Assert.Null(await NextAsync(caller, TimeSpan.FromMilliseconds(100)));
        Assert.Equal(SipDialogState.Confirmed, dialog.State);
    }

    private static async Task<Disposable<(TaskCompletionSource<SipDialog>, IPEndPoint)>> StartCalleeAsync(FakeTimeProvider time)
    {
        var transport = new SipTransportLayer(new SipTransportOptions { Udp = Loopback.AnyPort }, time);
        transport.Start();
        var agent = new SipUserAgent(transport, timeProvider: time);
        var dialogs = new TaskCompletionSource<SipDialog>(TaskCreationOptions.RunContinuationsAsynchronously);
        agent.IncomingCall = call => dialogs.SetResult(call.Accept(Agents.Answer));
        await Task.CompletedTask;
        return new Disposable<(TaskCompletionSource<SipDialog>, IPEndPoint)>((dialogs, transport.LocalEndPoint(SipTransports.Udp)!), transport.DisposeAsync);
    }

    private static byte[] Invite(UdpClient caller) => Encoding.UTF8.GetBytes(
        Encoding.UTF8.GetString(SipTransportLayerTests.Request($"SIP/2.0/UDP 127.0.0.1:{((IPEndPoint)caller.Client.LocalEndPoint!).Port};branch=z9hG4bKinv1"))
            .Replace("OPTIONS", "INVITE").Replace("Max-Forwards: 70\r\n", $"Max-Forwards: 70\r\nContact: <sip:alice@127.0.0.1:{((IPEndPoint)caller.Client.LocalEndPoint!).Port}>\r\n"));

    private static byte[] Ack(UdpClient caller, SipMessage ok)
    {
        var ack = new SipRequest(SipMethods.Ack, ok.Contacts[0].Uri);
        ack.Headers.Add(HeaderNames.Via, $"SIP/2.0/UDP 127.0.0.1:{((IPEndPoint)caller.Client.LocalEndPoint!).Port};branch=z9hG4bKack1");
        ack.Headers.Add(HeaderNames.From, ok.Headers.Get(HeaderNames.From)!);
        ack.Headers.Add(HeaderNames.To, ok.Headers.Get(HeaderNames.To)!);
        ack.Headers.Add(HeaderNames.CallId, ok.CallId);
        ack.Headers.Add(HeaderNames.CSeq, $"{ok.CSeq.Number} ACK");
        ack.Headers.Add(HeaderNames.MaxForwards, "70");
        return ack.ToBytes();
    }

    private static async Task<string?> NextAsync(UdpClient client, TimeSpan? wait = null)
    {
        // A cancelled receive takes no datagram with it, so the next wait still sees it.
        using var timeout = new CancellationTokenSource(wait ?? Loopback.Patience);
        try
        {
            var received = await client.ReceiveAsync(timeout.Token);
            return Encoding.UTF8.GetString(received.Buffer);
        }
        catch (OperationCanceledException) when (wait is not null)
        {
            return null;
        }
    }
}

internal sealed class Disposable<T>(T value, Func<ValueTask> dispose) : IAsyncDisposable
{
    public T Value => value;

    public ValueTask DisposeAsync() => dispose();
}
