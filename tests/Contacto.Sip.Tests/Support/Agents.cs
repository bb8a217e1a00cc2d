using Contacto.Sip.Dialogs;
using Contacto.Sip.Messages;
using Contacto.Sip.Transport;

namespace Contacto.Sip.Tests.Support;

/// <summary>Two user agents on loopback, Alice calling Bob over the chosen transport.</summary>
internal sealed class Agents : IAsyncDisposable
{
    public static readonly byte[] Offer = "v=0\r\no=alice 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\nm=audio 40000 RTP/AVP 8\r\na=sendrecv\r\n"u8.ToArray();
    public static readonly byte[] Answer = "v=0\r\no=bob 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\nm=audio 40002 RTP/AVP 8\r\na=sendrecv\r\n"u8.ToArray();

    private Agents(string transport, SipTransportLayer aliceTransport, SipTransportLayer bobTransport)
    {
        Transport = transport;
        AliceTransport = aliceTransport;
        BobTransport = bobTransport;
        Alice = new SipUserAgent(aliceTransport, new SipUserAgentOptions { ContactUser = "alice" });
        Bob = new SipUserAgent(bobTransport, new SipUserAgentOptions { ContactUser = "bob" });
    }

    public string Transport { get; }

    public SipTransportLayer AliceTransport { get; }

    public SipTransportLayer BobTransport { get; }

    public SipUserAgent Alice { get; }

    public SipUserAgent Bob { get; }

    public static Agents Start(string transport)
    {
        var alice = new SipTransportLayer(Loopback.Options(tls: true));
        var bob = new SipTransportLayer(Loopback.Options(tls: true));
        alice.Start();
        bob.Start();
        return new Agents(transport, alice, bob);
    }

    public SipTarget BobTarget => Loopback.Target(BobTransport, Transport);

    public SipCallOptions CallOptions(byte[]? offer = null, SipCredentials? credentials = null) => new()
    {
        RequestUri = SipUri.Parse($"sip:bob@127.0.0.1:{BobTarget.EndPoint.Port}"),
        From = SipNameAddress.Parse("\"Alice\" <sip:alice@127.0.0.1>"),
        To = SipNameAddress.Parse("<sip:bob@127.0.0.1>"),
        Target = BobTarget,
        Offer = offer ?? Offer,
        Credentials = credentials,
    };

    /// <summary>Bob answers at once; both dialogs, once Bob's is confirmed.</summary>
    public async Task<(SipDialog Alice, SipDialog Bob)> EstablishAsync()
    {
        var bobDialog = new TaskCompletionSource<SipDialog>(TaskCreationOptions.RunContinuationsAsynchronously);
        Bob.IncomingCall = call => bobDialog.TrySetResult(call.Accept(Answer));
        var (response, aliceDialog) = await Alice.Call(CallOptions()).Completion.WaitAsync(Loopback.Patience);
        Assert.Equal(200, response.StatusCode);
        var bob = await bobDialog.Task.WaitAsync(Loopback.Patience);
        await bob.Confirmed.WaitAsync(Loopback.Patience);
        return (aliceDialog!, bob);
    }

    public async ValueTask DisposeAsync()
    {
        await AliceTransport.DisposeAsync();
        await BobTransport.DisposeAsync();
    }
}
