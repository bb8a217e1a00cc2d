using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Text;
using Contacto.Testing;
using Contacto.Tls;

namespace Contacto.Server.Tests;

/// <summary>Both listeners speak TLS 1.2/1.3 with AEAD suites only, and nothing else.</summary>
public sealed class TlsListenerTests(SqliteServerFixture fixture) : IClassFixture<SqliteServerFixture>
{
    RunningServer Server => fixture.Server;

    public static TheoryData<string> Planes => ["public", "ops"];

    int Port(string plane) => plane == "public" ? Server.PublicPort : Server.OpsPort;

    [Theory]
    [MemberData(nameof(Planes))]
    public async Task Tls12_and_Tls13_handshakes_succeed_with_an_allowed_suite(string plane)
    {
        foreach (var protocol in new[] { SslProtocols.Tls12, SslProtocols.Tls13 })
        {
            using var client = new TcpClient();
            await client.ConnectAsync("127.0.0.1", Port(plane));
            await using var tls = new SslStream(client.GetStream());
            await tls.AuthenticateAsClientAsync(new SslClientAuthenticationOptions
            {
                TargetHost = "localhost",
                EnabledSslProtocols = protocol,
                RemoteCertificateValidationCallback = CaTrust.Validator(Server.CaPath),
            });
            Assert.Equal(protocol, tls.SslProtocol);
            Assert.Contains(tls.NegotiatedCipherSuite, TlsPolicy.AllowedCipherSuites);
        }
    }

    [Theory]
    [MemberData(nameof(Planes))]
    public async Task The_probe_is_answered_when_it_offers_what_the_policy_allows(string plane)
    {
        // Proves the raw probe is well formed, so the refusals below mean what they say.
        var answer = await TlsProbe.OfferAsync(Port(plane), TlsProbe.Tls12, 0xc02b /* ECDHE_ECDSA_AES_128_GCM_SHA256 */);
        Assert.Equal(TlsProbe.Answer.ServerHello, answer);
    }

    [Theory]
    [MemberData(nameof(Planes))]
    public async Task A_TLS_1_1_hello_gets_no_server_hello(string plane)
    {
        var answer = await TlsProbe.OfferAsync(Port(plane), TlsProbe.Tls11,
            0xc02b, 0xc009 /* ECDHE_ECDSA_AES_128_CBC_SHA */, 0x002f /* RSA_AES_128_CBC_SHA */);
        Assert.NotEqual(TlsProbe.Answer.ServerHello, answer);
    }

    [Theory]
    [MemberData(nameof(Planes))]
    public async Task Weak_cipher_suites_alone_get_no_server_hello(string plane)
    {
        var answer = await TlsProbe.OfferAsync(Port(plane), TlsProbe.Tls12,
            0xc009, /* ECDHE_ECDSA_AES_128_CBC_SHA */
            0xc023, /* ECDHE_ECDSA_AES_128_CBC_SHA256 */
            0x002f, /* RSA_AES_128_CBC_SHA (no forward secrecy) */
            0x0005, /* RSA_RC4_128_SHA */
            0x000a /* RSA_3DES_EDE_CBC_SHA */);
        Assert.NotEqual(TlsProbe.Answer.ServerHello, answer);
    }

    [Theory]
    [MemberData(nameof(Planes))]
    public async Task Plain_http_gets_no_http_response(string plane)
    {
        using var client = new TcpClient();
        await client.ConnectAsync("127.0.0.1", Port(plane));
        var stream = client.GetStream();
        await stream.WriteAsync("GET /health/live HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n"u8.ToArray());
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(15));
        var received = new MemoryStream();
        var buffer = new byte[4096];
        try
        {
            int n;
            while ((n = await stream.ReadAsync(buffer, timeout.Token)) > 0)
                received.Write(buffer, 0, n);
        }
        catch (IOException)
        {
            // A reset is an acceptable way of serving nothing.
        }
        Assert.DoesNotContain("HTTP/", Encoding.ASCII.GetString(received.ToArray()));
    }
}
