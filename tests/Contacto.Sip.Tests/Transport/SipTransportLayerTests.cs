using System.Net;
using System.Net.Sockets;
using System.Text;
using Contacto.Sip.Messages;
using Contacto.Sip.Tests.Support;
using Contacto.Sip.Transport;

namespace Contacto.Sip.Tests.Transport;

/// <summary>Real sockets on loopback: UDP, TCP and TLS, Via received/rport, responses by RFC 3261 18.2.2.</summary>
public sealed class SipTransportLayerTests
{
    [Theory]
    [InlineData(SipTransports.Udp)]
    [InlineData(SipTransports.Tcp)]
    [InlineData(SipTransports.Tls)]
    public async Task ARequestArrivesMarkedWithItsSourceAndItsResponseComesBack(string transport)
    {
        var (alice, aliceInbox) = await Loopback.StartAsync(Loopback.Options(tls: true));
        var (bob, bobInbox) = await Loopback.StartAsync(Loopback.Options(tls: true));
        await using var _ = alice;
        await using var __ = bob;

        await alice.SendAsync(Loopback.Options(alice, transport), Loopback.Target(bob, transport));
        var received = await bobInbox.NextAsync();
        var via = received.Message.TopVia!;
        await bob.SendResponseAsync(SipResponse.CreateFor((SipRequest)received.Message, 200, toTag: "b1"), received.Flow);
        var answer = await aliceInbox.NextAsync();

        Assert.Equal(transport, received.Flow.Transport);
        Assert.Equal("127.0.0.1", via.Received);
        Assert.Equal(received.Flow.Remote.Port, via.RPort);
        Assert.Equal(200, ((SipResponse)answer.Message).StatusCode);
        Assert.Equal("b1", answer.Message.To.Tag);
        Assert.Equal(SipTransports.IsReliable(transport) ? 1 : 0, alice.ConnectionCount);
    }

    [Theory]
    [InlineData(SipTransports.Tcp)]
    [InlineData(SipTransports.Tls)]
    public async Task ConnectionsAreReusedBothWays(string transport)
    {
        var (alice, aliceInbox) = await Loopback.StartAsync(Loopback.Options(tls: true));
        var (bob, bobInbox) = await Loopback.StartAsync(Loopback.Options(tls: true));
        await using var _ = alice;
        await using var __ = bob;

        for (var i = 0; i < 3; i++)
        {
            await alice.SendAsync(Loopback.Options(alice, transport), Loopback.Target(bob, transport));
            var received = await bobInbox.NextAsync();
            await bob.SendResponseAsync(SipResponse.CreateFor((SipRequest)received.Message, 200), received.Flow);
            await aliceInbox.NextAsync();
        }

        Assert.Equal(1, alice.ConnectionCount);
        Assert.Equal(1, bob.ConnectionCount);
    }

    [Fact]
    public async Task OverUdpAResponseGoesToTheSourceWithRportAndToSentByWithout()
    {
        var (bob, bobInbox) = await Loopback.StartAsync();
        await using var _ = bob;
        using var client = new UdpClient(new IPEndPoint(IPAddress.Loopback, 0));
        using var other = new UdpClient(new IPEndPoint(IPAddress.Loopback, 0));
        var clientPort = ((IPEndPoint)client.Client.LocalEndPoint!).Port;
        var otherPort = ((IPEndPoint)other.Client.LocalEndPoint!).Port;

        // The Via claims another port; with rport the answer still goes where the request came from.
        await client.SendAsync(Request($"SIP/2.0/UDP 127.0.0.1:{otherPort};branch=z9hG4bKa;rport"), bob.LocalEndPoint(SipTransports.Udp)!);
        var withRport = await bobInbox.NextAsync();
        await bob.SendResponseAsync(SipResponse.CreateFor((SipRequest)withRport.Message, 200), withRport.Flow);
        var first = await client.ReceiveAsync().WaitAsync(Loopback.Patience);

        await client.SendAsync(Request($"SIP/2.0/UDP 127.0.0.1:{otherPort};branch=z9hG4bKb"), bob.LocalEndPoint(SipTransports.Udp)!);
        var withoutRport = await bobInbox.NextAsync();
        await bob.SendResponseAsync(SipResponse.CreateFor((SipRequest)withoutRport.Message, 200), withoutRport.Flow);
        var second = await other.ReceiveAsync().WaitAsync(Loopback.Patience);

        Assert.Equal(clientPort, withRport.Message.TopVia!.RPort);
        Assert.Contains("branch=z9hG4bKa", Encoding.UTF8.GetString(first.Buffer));
        Assert.Null(withoutRport.Message.TopVia!.Received);
        Assert.Contains("branch=z9hG4bKb", Encoding.UTF8.GetString(second.Buffer));
    }

    [Fact]
    public async Task OverTcpAResponseWhoseConnectionClosedGoesToANewConnectionToSentBy()
    {
        var (bob, bobInbox) = await Loopback.StartAsync();
        await using var _ = bob;
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var sentByPort = ((IPEndPoint)listener.LocalEndpoint).Port;
        using (var client = new TcpClient())
        {
            await client.ConnectAsync(bob.LocalEndPoint(SipTransports.Tcp)!);
            await client.GetStream().WriteAsync(Request($"SIP/2.0/TCP 127.0.0.1:{sentByPort};branch=z9hG4bKc;rport"));
        }
        var request = await bobInbox.NextAsync();
        await Loopback.WaitForAsync(() => bob.ConnectionCount == 0);

        await bob.SendResponseAsync(SipResponse.CreateFor((SipRequest)request.Message, 200), request.Flow);
        using var reopened = await listener.AcceptTcpClientAsync().WaitAsync(Loopback.Patience);
        var buffer = new byte[4096];
        var read = await reopened.GetStream().ReadAsync(buffer).AsTask().WaitAsync(Loopback.Patience);

        Assert.StartsWith("SIP/2.0 200 ", Encoding.UTF8.GetString(buffer, 0, read));
    }

    [Fact]
    public async Task AMalformedDatagramIsAnswered400AndCounted()
    {
        var (bob, bobInbox) = await Loopback.StartAsync();
        await using var bobLifetime = bob;
        using var client = new UdpClient(new IPEndPoint(IPAddress.Loopback, 0));
        var request = Encoding.UTF8.GetString(Request("SIP/2.0/UDP 127.0.0.1:9;branch=z9hG4bKx;rport")).Replace("Max-Forwards: 70", "Max-Forwards: many");

        await client.SendAsync(Encoding.UTF8.GetBytes(request), bob.LocalEndPoint(SipTransports.Udp)!);
        var answer = await client.ReceiveAsync().WaitAsync(Loopback.Patience);

        Assert.StartsWith("SIP/2.0 400 ", Encoding.UTF8.GetString(answer.Buffer));
        Assert.Equal(1, bob.Counters.Refused);
        Assert.False(bobInbox.TryTake(out _));
    }

    [Fact]
    public async Task StreamsAreFramedByContentLengthWhateverTheSegmentation()
    {
        var (bob, bobInbox) = await Loopback.StartAsync();
        await using var _ = bob;
        using var client = new TcpClient();
        await client.ConnectAsync(bob.LocalEndPoint(SipTransports.Tcp)!);
        var stream = client.GetStream();
        var one = Request("SIP/2.0/TCP 127.0.0.1:9;branch=z9hG4bK1", "hello");
        var two = Request("SIP/2.0/TCP 127.0.0.1:9;branch=z9hG4bK2", "");
        var three = Request("SIP/2.0/TCP 127.0.0.1:9;branch=z9hG4bK3", "body");

        await stream.WriteAsync((byte[])[.. "\r\n"u8, .. one, .. two, .. three[..10]]);

        // The first two are framed while the third is still incomplete; only then does its rest arrive.
        Assert.Equal("hello"u8.ToArray(), (await bobInbox.NextAsync()).Message.Body);
        Assert.Equal("z9hG4bK2", (await bobInbox.NextAsync()).Message.TopVia!.Branch);
        await stream.WriteAsync(three[10..]);
        Assert.Equal("body"u8.ToArray(), (await bobInbox.NextAsync()).Message.Body);
    }

    [Fact]
    public async Task AKeepAlivePingGetsAPong()
    {
        var (bob, _) = await Loopback.StartAsync();
        await using var __ = bob;
        using var client = new TcpClient();
        await client.ConnectAsync(bob.LocalEndPoint(SipTransports.Tcp)!);

        await client.GetStream().WriteAsync("\r\n\r\n"u8.ToArray());
        var pong = new byte[2];
        await client.GetStream().ReadExactlyAsync(pong).AsTask().WaitAsync(Loopback.Patience);

        Assert.Equal("\r\n"u8.ToArray(), pong);
    }

    [Theory]
    [InlineData("")]
    [InlineData("Content-Length: x\r\n")]
    [InlineData("Content-Length: 99999999\r\n")]
    [InlineData("Content-Length: 1\r\nl: 1\r\n")]
    public async Task AStreamMessageWithoutAUsableContentLengthIsAnswered400AndTheConnectionClosed(string contentLength)
    {
        var (bob, _) = await Loopback.StartAsync();
        await using var __ = bob;
        using var client = new TcpClient();
        await client.ConnectAsync(bob.LocalEndPoint(SipTransports.Tcp)!);
        var text = Encoding.UTF8.GetString(Request("SIP/2.0/TCP 127.0.0.1:9;branch=z9hG4bK1")).Replace("Content-Length: 0\r\n", contentLength);

        await client.GetStream().WriteAsync(Encoding.UTF8.GetBytes(text));
        var answer = await ReadToEndAsync(client.GetStream());

        Assert.StartsWith("SIP/2.0 400 ", answer);
        await Loopback.WaitForAsync(() => bob.ConnectionCount == 0);
    }

    [Fact]
    public async Task AHeadThatNeverEndsIsCutAtTheSizeLimit()
    {
        var options = Loopback.Options() with { Limits = new SipLimits { MaxMessageBytes = 4096 } };
        var (bob, _) = await Loopback.StartAsync(options);
        await using var __ = bob;
        using var client = new TcpClient();
        await client.ConnectAsync(bob.LocalEndPoint(SipTransports.Tcp)!);

        var sent = 0;
        try
        {
            while (sent < 1_000_000)
            {
                await client.GetStream().WriteAsync(Encoding.UTF8.GetBytes("X-Flood: " + new string('a', 1000) + "\r\n"));
                sent += 1011;
            }
        }
        catch (IOException)
        {
        }

        await Loopback.WaitForAsync(() => bob.ConnectionCount == 0);
        Assert.Equal(1, bob.Counters.Refused);
    }

    [Fact]
    public async Task TlsRefusesAPeerItDoesNotTrust()
    {
        var (bob, _) = await Loopback.StartAsync(Loopback.Options(tls: true));
        var (alice, _) = await Loopback.StartAsync(Loopback.Options() with { TlsClientValidation = null });
        await using var _ = alice;
        await using var __ = bob;

        await Assert.ThrowsAsync<SipTransportException>(() => alice.SendAsync(Loopback.Options(alice, SipTransports.Tls), Loopback.Target(bob, SipTransports.Tls)));
    }

    [Fact]
    public async Task TlsClientOptionsChooseWhatATargetIsCheckedAgainst()
    {
        var (bob, bobInbox) = await Loopback.StartAsync(Loopback.Options(tls: true));
        var asked = new List<SipTarget>();
        var (alice, _) = await Loopback.StartAsync(Loopback.Options() with
        {
            TlsClientValidation = null,
            TlsClient = target =>
            {
                asked.Add(target);
                // The test's certificate as the only root, as a carrier's own CA file would be.
                var options = new System.Net.Security.SslClientAuthenticationOptions
                {
                    TargetHost = target.HostName,
                    CertificateChainPolicy = new System.Security.Cryptography.X509Certificates.X509ChainPolicy
                    {
                        TrustMode = System.Security.Cryptography.X509Certificates.X509ChainTrustMode.CustomRootTrust,
                        RevocationMode = System.Security.Cryptography.X509Certificates.X509RevocationMode.NoCheck,
                    },
                };
                options.CertificateChainPolicy.CustomTrustStore.Add(Loopback.Certificate.Value);
                return options;
            },
        });
        await using var _ = alice;
        await using var __ = bob;

        await alice.SendAsync(Loopback.Options(alice, SipTransports.Tls), Loopback.Target(bob, SipTransports.Tls));

        Assert.Equal(SipMethods.Options, ((SipRequest)(await bobInbox.NextAsync()).Message).Method);
        Assert.Equal("localhost", Assert.Single(asked).HostName);
    }

    [Fact]
    public async Task TlsListenerNegotiatesTls12OrNewer()
    {
        var (bob, _) = await Loopback.StartAsync(Loopback.Options(tls: true));
        await using var _ = bob;
        using var client = new TcpClient();
        await client.ConnectAsync(bob.LocalEndPoint(SipTransports.Tls)!);
        using var tls = new System.Net.Security.SslStream(client.GetStream(), false, (_, _, _, _) => true);

        await tls.AuthenticateAsClientAsync("localhost").WaitAsync(Loopback.Patience);

        Assert.True(tls.SslProtocol >= System.Security.Authentication.SslProtocols.Tls12);
    }

    [Fact]
    public async Task IdleConnectionsAreClosed()
    {
        var options = Loopback.Options() with { ConnectionIdleTimeout = TimeSpan.FromSeconds(30) };
        var time = new Microsoft.Extensions.Time.Testing.FakeTimeProvider();
        var (alice, _) = await Loopback.StartAsync(options, time);
        var (bob, bobInbox) = await Loopback.StartAsync(options, time);
        await using var _ = alice;
        await using var __ = bob;
        await alice.SendAsync(Loopback.Options(alice, SipTransports.Tcp), Loopback.Target(bob, SipTransports.Tcp));
        await bobInbox.NextAsync();

        time.Advance(TimeSpan.FromSeconds(29));
        Assert.Equal((1, 1), (alice.ConnectionCount, bob.ConnectionCount));
        time.Advance(TimeSpan.FromSeconds(1));

        await Loopback.WaitForAsync(() => alice.ConnectionCount == 0 && bob.ConnectionCount == 0);
    }

    internal static byte[] Request(string via, string body = "") => Encoding.UTF8.GetBytes(
        "OPTIONS sip:bob@127.0.0.1 SIP/2.0\r\n" +
        $"Via: {via}\r\n" +
        "Max-Forwards: 70\r\nFrom: <sip:alice@127.0.0.1>;tag=1\r\nTo: <sip:bob@127.0.0.1>\r\n" +
        $"Call-ID: {Guid.NewGuid():N}@127.0.0.1\r\nCSeq: 1 OPTIONS\r\n" +
        (body.Length > 0 ? "Content-Type: text/plain\r\n" : "") +
        $"Content-Length: {body.Length}\r\n\r\n{body}");

    private static async Task<string> ReadToEndAsync(NetworkStream stream)
    {
        var received = new MemoryStream();
        var buffer = new byte[4096];
        try
        {
            int read;
            while ((read = await stream.ReadAsync(buffer).AsTask().WaitAsync(Loopback.Patience)) > 0)
            {
                received.Write(buffer, 0, read);
            }
        }
        catch (IOException)
        {
        }
        return Encoding.UTF8.GetString(received.ToArray());
    }
}
