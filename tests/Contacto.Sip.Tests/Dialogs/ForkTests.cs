using System.Net;
using System.Net.Sockets;
using System.Text;
using Contacto.Sip.Dialogs;
using Contacto.Sip.Messages;
using Contacto.Sip.Tests.Support;
using Contacto.Sip.Transport;

namespace Contacto.Sip.Tests.Dialogs;

/// <summary>Two callees answer one INVITE (a forking proxy): the call keeps the first, the second is acknowledged and ended.</summary>
public sealed class ForkTests
{
    [Fact]
    public async Task ASecondForksAnswerIsAcknowledgedAndEndedWithBye()
    {
        await using var transport = new SipTransportLayer(new SipTransportOptions { Udp = Loopback.AnyPort });
        transport.Start();
        var agent = new SipUserAgent(transport);
        using var forks = new UdpClient(new IPEndPoint(IPAddress.Loopback, 0));
        var forksEndPoint = (IPEndPoint)forks.Client.LocalEndPoint!;

        var call = agent.Call(new SipCallOptions
        {
            RequestUri = SipUri.Parse($"sip:bob@127.0.0.1:{forksEndPoint.Port}"),
            From = SipNameAddress.Parse("<sip:alice@127.0.0.1>"),
            To = SipNameAddress.Parse("<sip:bob@127.0.0.1>"),
            Target = new SipTarget(SipTransports.Udp, forksEndPoint),
            Offer = Agents.Offer,
        });
        var invite = (SipRequest)await NextAsync(forks);
        var source = transport.LocalEndPoint(SipTransports.Udp)!;
        await forks.SendAsync(Answer(invite, "one", forksEndPoint).ToBytes(), source);
        var (response, dialog) = await call.Completion.WaitAsync(Loopback.Patience);
        await forks.SendAsync(Answer(invite, "two", forksEndPoint).ToBytes(), source);
        var received = new List<SipRequest>();
        while (received.Count < 3)
        {
            received.Add((SipRequest)await NextAsync(forks));
        }

        Assert.Equal(200, response.StatusCode);
        Assert.Equal("one", dialog!.RemoteTag);
        Assert.Equal([(SipMethods.Ack, "one"), (SipMethods.Ack, "two"), (SipMethods.Bye, "two")], received.Select(r => (r.Method, r.To.Tag!)));
        Assert.Equal(SipDialogState.Confirmed, dialog.State);
    }

    private static SipResponse Answer(SipRequest invite, string tag, IPEndPoint contact)
    {
        var ok = SipResponse.CreateFor(invite, 200, toTag: tag);
        ok.Headers.Add(HeaderNames.Contact, $"<sip:bob-{tag}@127.0.0.1:{contact.Port}>");
        return ok;
    }

    private static async Task<SipMessage> NextAsync(UdpClient client)
    {
        var datagram = await client.ReceiveAsync().WaitAsync(Loopback.Patience);
        return SipMessageParser.Parse(datagram.Buffer).Message!;
    }
}
