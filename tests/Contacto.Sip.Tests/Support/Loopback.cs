using System.Net;
using System.Net.Security;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Threading.Channels;
using Contacto.Sip.Messages;
using Contacto.Sip.Transport;

namespace Contacto.Sip.Tests.Support;

/// <summary>SIP endpoints on 127.0.0.1 with free ports, and what they receive.</summary>
internal static class Loopback
{
    public static readonly TimeSpan Patience = TimeSpan.FromSeconds(10);

    public static readonly IPEndPoint AnyPort = new(IPAddress.Loopback, 0);

    public static SipTransportOptions Options(bool tls = false) => new()
    {
        Udp = AnyPort,
        Tcp = AnyPort,
        Tls = tls ? AnyPort : null,
        TlsServer = tls ? new SslServerAuthenticationOptions { ServerCertificate = Certificate.Value } : null,
        TlsClientValidation = (_, certificate, _, _) => certificate?.GetCertHashString() == Certificate.Value.GetCertHashString(),
    };

    /// <summary>A self-signed certificate for 127.0.0.1 and localhost, made once per run.</summary>
    public static readonly Lazy<X509Certificate2> Certificate = new(() =>
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=localhost", key, HashAlgorithmName.SHA256);
        var names = new SubjectAlternativeNameBuilder();
        names.AddDnsName("localhost");
        names.AddIpAddress(IPAddress.Loopback);
        request.CertificateExtensions.Add(names.Build());
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], false));
        using var created = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddDays(1));
        return X509CertificateLoader.LoadPkcs12(created.Export(X509ContentType.Pkcs12), null);
    });

    public static async Task<(SipTransportLayer Transport, Inbox Inbox)> StartAsync(SipTransportOptions? options = null, TimeProvider? time = null)
    {
        var transport = new SipTransportLayer(options ?? Options(), time);
        var inbox = new Inbox();
        transport.MessageReceived = inbox.Add;
        transport.Start();
        await Task.CompletedTask;
        return (transport, inbox);
    }

    public static SipTarget Target(SipTransportLayer to, string transport) => new(transport, to.LocalEndPoint(transport)!, "localhost");

    /// <summary>An OPTIONS request from <paramref name="from"/> with its Via for the transport.</summary>
    public static SipRequest Options(SipTransportLayer from, string transport, string? branch = null)
    {
        var request = new SipRequest(SipMethods.Options, SipUri.Parse("sip:bob@127.0.0.1"));
        request.Headers.Add(HeaderNames.Via, from.CreateVia(transport, branch ?? SipIds.NewBranch()).ToString());
        request.Headers.Add(HeaderNames.MaxForwards, "70");
        request.Headers.Add(HeaderNames.From, "<sip:alice@127.0.0.1>;tag=" + SipIds.NewTag());
        request.Headers.Add(HeaderNames.To, "<sip:bob@127.0.0.1>");
        request.Headers.Add(HeaderNames.CallId, SipIds.NewCallId("127.0.0.1"));
        request.Headers.Add(HeaderNames.CSeq, "1 OPTIONS");
        return request;
    }

    /// <summary>Waits, yielding, until the condition holds; fails after <see cref="Patience"/>.</summary>
    public static async Task WaitForAsync(Func<bool> condition)
    {
        var deadline = DateTime.UtcNow + Patience;
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "condition not met in time");
            await Task.Delay(5);
        }
    }

    internal sealed class Inbox
    {
        private readonly Channel<SipReceived> _messages = Channel.CreateUnbounded<SipReceived>();

        public void Add(SipReceived received) => _messages.Writer.TryWrite(received);

        public async Task<SipReceived> NextAsync() => await _messages.Reader.ReadAsync().AsTask().WaitAsync(Patience);

        public bool TryTake(out SipReceived? received) => _messages.Reader.TryRead(out received);
    }
}
