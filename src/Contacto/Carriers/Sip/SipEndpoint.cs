using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using System.Net;
using System.Net.Security;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using Contacto.Sip.Dialogs;
using Contacto.Sip.Messages;
using Contacto.Sip.Transport;
using Contacto.Tls;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Contacto.Carriers.Sip;

/// <summary>
/// This node's SIP endpoint: the listeners of <c>Sip:Listen</c> and one user agent, shared by
/// every trunk. Trunks place calls and send keep-alives through it; requests that come in are
/// first matched to a trunk by their source address: what no trunk sends is refused at the edge
/// (a bare 403 within a per-source rate, then nothing), a trunk's calls are challenged when it has
/// inbound credentials and handed to its connection, which offers them to the call sink. Started
/// by the listener at host start, or by the first trunk that needs it. The TLS listener's
/// certificate is asked for at each handshake (<paramref name="certificate"/>: the node's, renewed in place).
/// </summary>
internal sealed partial class SipEndpoint(
    IOptions<SipOptions> options,
    Func<X509Certificate2> certificate,
    SipEdge edge,
    IMeterFactory meters,
    TimeProvider time,
    ILoggerFactory loggers) : IAsyncDisposable
{
    /// <summary>How long a digest nonce issued to an inbound trunk stays good.</summary>
    static readonly TimeSpan NonceLifetime = TimeSpan.FromSeconds(30);

    readonly Lock gate = new();
    readonly ConcurrentDictionary<SipTrunkConnection, byte> trunks = new();
    readonly byte[] nonceKey = RandomNumberGenerator.GetBytes(32);
    readonly ILogger logger = loggers.CreateLogger<SipEndpoint>();
    (SipTransportLayer Transport, SipUserAgent Agent)? running;
    volatile bool draining;

    /// <summary>The user agent, the endpoint started if it was not.</summary>
    public SipUserAgent Agent => Start().Agent;

    /// <summary>The host trunks reach this node at (Via, Contact, From).</summary>
    public string Host { get; private set; } = "127.0.0.1";

    public SipTransportCounters? Counters => running?.Transport.Counters;

    /// <summary>The bound address of a listener (<see cref="SipTransports"/>), or null when it is off or not started.</summary>
    public IPEndPoint? LocalEndPoint(string transport) => running?.Transport.LocalEndPoint(transport);

    public (SipTransportLayer Transport, SipUserAgent Agent) Start()
    {
        lock (gate)
        {
            return running ??= Open();
        }
    }

    (SipTransportLayer, SipUserAgent) Open()
    {
        var settings = options.Value;
        var (udp, tcp, tls) = settings.EndPoints();
        var bound = udp ?? tcp ?? tls;
        var everyAddress = bound is not null && (bound.Address.Equals(IPAddress.Any) || bound.Address.Equals(IPAddress.IPv6Any));
        Host = settings.AdvertisedHost ?? (bound is null || everyAddress ? "127.0.0.1" : Format(bound.Address));
        if (settings.AdvertisedHost is null && everyAddress)
            LogNoAdvertisedHost(Host);
        var transport = new SipTransportLayer(new SipTransportOptions
        {
            Udp = udp,
            Tcp = tcp,
            Tls = tls,
            TlsServer = tls is null ? null : new SslServerAuthenticationOptions
            {
                ServerCertificateSelectionCallback = (_, _) => certificate(),
                CipherSuitesPolicy = TlsPolicy.CipherSuites,
            },
            TlsClient = ClientOptions,
            AdvertisedHost = Host,
        }, time, loggers.CreateLogger<SipTransportLayer>());
        var agent = new SipUserAgent(transport, new SipUserAgentOptions { ContactUser = "contacto" }, timeProvider: time,
            logger: loggers.CreateLogger<SipUserAgent>())
        {
            IncomingCall = OnIncomingCall,
        };
        var toTransactions = transport.MessageReceived!;
        transport.MessageReceived = received =>
        {
            if (Admit(transport, received))
                toTransactions(received);
        };
        transport.Start();
        edge.ObserveMalformed(meters, () => transport.Counters.Refused);
        return (transport, agent);
    }

    public void Register(SipTrunkConnection trunk) => trunks[trunk] = 0;

    public void Unregister(SipTrunkConnection trunk) => trunks.TryRemove(trunk, out _);

    /// <summary>From now on calls are refused 503 (the node stops); trunks' calls in progress go on.</summary>
    public void Drain() => draining = true;

    public async ValueTask DisposeAsync()
    {
        if (running is { } endpoint)
            await endpoint.Transport.DisposeAsync();
    }

    /// <summary>The TLS options towards a target: a trunk's own CA file when it has one, the platform's policy always.</summary>
    SslClientAuthenticationOptions ClientOptions(SipTarget target)
    {
        var trunk = trunks.Keys.FirstOrDefault(t => target.EndPoint.Equals(t.Target?.EndPoint));
        return TlsPolicy.Client(trunk?.Options.Host ?? target.HostName ?? target.EndPoint.Address.ToString(), trunk?.Options.TlsCaFile);
    }

    /// <summary>The trunk a message came from: the one whose address and port it is, else one whose networks hold its address.</summary>
    SipTrunkConnection? TrunkOf(IPEndPoint remote)
    {
        var address = remote.Address.IsIPv4MappedToIPv6 ? remote.Address.MapToIPv4() : remote.Address;
        SipTrunkConnection? byNetwork = null;
        foreach (var trunk in trunks.Keys)
        {
            if (!trunk.SendsFrom(address))
                continue;
            if (trunk.Target?.EndPoint.Port == remote.Port)
                return trunk;
            byNetwork ??= trunk;
        }
        return byNetwork;
    }

    /// <summary>Responses pass (they match only this side's transactions); requests pass only from trunks.</summary>
    bool Admit(SipTransportLayer transport, SipReceived received)
    {
        if (received.Message is not SipRequest request || TrunkOf(received.Flow.Remote) is not null)
            return true;
        var source = received.Flow.Remote.Address;
        if (request.Method == SipMethods.Ack || !edge.TryTake(source))
        {
            edge.Refused(request.Method == SipMethods.Ack ? SipRefusal.UnknownSource : SipRefusal.RateLimited, request.Method);
            return false;
        }
        edge.Refused(SipRefusal.UnknownSource, request.Method);
        // Stateless and bare: the request's identifiers and nothing about this side.
        _ = SendQuietlyAsync(transport, SipResponse.CreateFor(request, 403, "Forbidden", SipIds.NewTag()), received.Flow);
        return false;
    }

    void OnIncomingCall(SipIncomingCall call)
    {
        if (TrunkOf(call.Flow.Remote) is not { } trunk)
        {
            call.Reject(403);
            return;
        }
        if (draining)
        {
            edge.Refused(SipRefusal.Draining, SipMethods.Invite);
            var busy = call.CreateResponse(503);
            busy.Headers.Add(HeaderNames.RetryAfter, "5");
            call.Respond(busy);
            return;
        }
        if (trunk.Options.Sip.Inbound is { UserName.Length: > 0 } inbound && !Authenticated(call, inbound))
            return;
        trunk.Offer(call);
    }

    /// <summary>
    /// RFC 3261 22 with RFC 8760: a call without an answer to a fresh nonce of this node is
    /// challenged (SHA-256, then MD5, both offered); a wrong answer is refused 403.
    /// </summary>
    bool Authenticated(SipIncomingCall call, SipInboundSettings inbound)
    {
        var realm = options.Value.Realm;
        var authorization = call.Request.Headers.Get(HeaderNames.Authorization);
        if (authorization is not null && SipDigestChallenge.TryParse(authorization) is { } answered && answered.Realm == realm)
        {
            var fresh = IsFresh(answered.Nonce);
            if (fresh && SipDigest.Verify(authorization, call.Request.Method, realm, answered.Nonce, user => user == inbound.UserName ? inbound.Password : null))
                return true;
            if (fresh)
            {
                edge.Refused(SipRefusal.Unauthorized, SipMethods.Invite);
                call.Reject(403);
                return false;
            }
        }
        var challenge = call.CreateResponse(401);
        var nonce = NewNonce();
        challenge.Headers.Add(HeaderNames.WwwAuthenticate, SipDigest.Challenge(realm, nonce, "SHA-256"));
        challenge.Headers.Add(HeaderNames.WwwAuthenticate, SipDigest.Challenge(realm, nonce, "MD5"));
        call.Respond(challenge);
        return false;
    }

    /// <summary>A nonce that proves itself: its time and a MAC of it under this node's key (no state kept).</summary>
    string NewNonce()
    {
        var issued = time.GetUtcNow().ToUnixTimeMilliseconds().ToString("x", System.Globalization.CultureInfo.InvariantCulture);
        return $"{issued}.{Mac(issued)}";
    }

    bool IsFresh(string nonce)
    {
        var dot = nonce.IndexOf('.');
        if (dot <= 0 || !long.TryParse(nonce.AsSpan(0, dot), System.Globalization.NumberStyles.HexNumber, null, out var issued)
            || !CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(Mac(nonce[..dot])), Encoding.ASCII.GetBytes(nonce[(dot + 1)..])))
            return false;
        var age = time.GetUtcNow() - DateTimeOffset.FromUnixTimeMilliseconds(issued);
        return age >= TimeSpan.Zero && age < NonceLifetime;
    }

    string Mac(string issued) => Convert.ToHexStringLower(HMACSHA256.HashData(nonceKey, Encoding.ASCII.GetBytes(issued)));

    async Task SendQuietlyAsync(SipTransportLayer transport, SipResponse response, SipFlow flow)
    {
        try
        {
            await transport.SendResponseAsync(response, flow);
        }
        catch (Exception e) when (e is SipTransportException or IOException or ObjectDisposedException)
        {
        }
    }

    static string Format(IPAddress address) => address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6 ? $"[{address}]" : address.ToString();

    [LoggerMessage(EventId = 1151, Level = LogLevel.Warning, Message = "SIP listens on every address and Sip:AdvertisedHost is not set: Via and Contact name {Host}, which only trunks on this machine reach")]
    partial void LogNoAdvertisedHost(string host);
}
