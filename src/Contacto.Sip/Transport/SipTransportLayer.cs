using System.Collections.Concurrent;
using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using Contacto.Sip.Messages;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Contacto.Sip.Transport;

/// <summary>Counts of what the transport took and refused, for metrics and tests.</summary>
public sealed class SipTransportCounters
{
    private long _received;
    private long _refused;
    private long _handlerFailures;

    public long Received => Interlocked.Read(ref _received);

    /// <summary>Messages and frames refused: malformed, oversize, unframeable.</summary>
    public long Refused => Interlocked.Read(ref _refused);

    /// <summary>Messages whose handler threw: a bug above the transport, logged as an error.</summary>
    public long HandlerFailures => Interlocked.Read(ref _handlerFailures);

    internal void Receive() => Interlocked.Increment(ref _received);

    internal void HandlerFailed() => Interlocked.Increment(ref _handlerFailures);

    internal void Refuse() => Interlocked.Increment(ref _refused);
}

/// <summary>
/// The transport layer of one SIP endpoint (RFC 3261 18): UDP, TCP and TLS 1.2+ listeners;
/// connections opened on demand and reused, both ways; received and rport written into the top
/// Via of requests (RFC 3581); responses sent back by RFC 3261 18.2.2; malformed requests
/// answered 400 where they can be. What parses goes to <see cref="MessageReceived"/>.
/// </summary>
public sealed class SipTransportLayer : IAsyncDisposable
{
    private readonly ConcurrentDictionary<(string Transport, IPEndPoint Remote), SipConnection> _connections = new();
    private readonly CancellationTokenSource _stopping = new();
    private readonly List<Task> _loops = [];
    private readonly Dictionary<string, TcpListener> _listeners = [];
    private Socket? _udp;
    private int _connectionCount;

    public SipTransportLayer(SipTransportOptions options, TimeProvider? timeProvider = null, ILogger? logger = null)
    {
        if (options.Tls is not null && options.TlsServer is null)
        {
            throw new ArgumentException("A TLS listener needs TlsServer options.", nameof(options));
        }
        Options = options;
        Time = timeProvider ?? TimeProvider.System;
        Logger = logger ?? NullLogger.Instance;
    }

    /// <summary>Receives every message that parsed, in the order of its flow; must not block.</summary>
    public Action<SipReceived>? MessageReceived { get; set; }

    public SipTransportOptions Options { get; }

    public SipTransportCounters Counters { get; } = new();

    /// <summary>Open TCP and TLS connections.</summary>
    public int ConnectionCount => Volatile.Read(ref _connectionCount);

    internal TimeProvider Time { get; }

    internal ILogger Logger { get; }

    /// <summary>The bound address of a listener (its real port when 0 was asked), or null.</summary>
    public IPEndPoint? LocalEndPoint(string transport) => transport switch
    {
        SipTransports.Udp => (IPEndPoint?)_udp?.LocalEndPoint,
        SipTransports.Tcp or SipTransports.Tls => _listeners.TryGetValue(transport, out var listener) ? (IPEndPoint)listener.LocalEndpoint : null,
        _ => null,
    };

    public void Start()
    {
        if (Options.Udp is { } udp)
        {
            _udp = new Socket(udp.AddressFamily, SocketType.Dgram, ProtocolType.Udp);
            _udp.Bind(udp);
            SipLog.Listening(Logger, SipTransports.Udp, (IPEndPoint)_udp.LocalEndPoint!);
            _loops.Add(Task.Run(UdpLoopAsync));
        }
        foreach (var (endPoint, transport) in new[] { (Options.Tcp, SipTransports.Tcp), (Options.Tls, SipTransports.Tls) })
        {
            if (endPoint is null)
            {
                continue;
            }
            var listener = new TcpListener(endPoint);
            listener.Start();
            _listeners.Add(transport, listener);
            SipLog.Listening(Logger, transport, (IPEndPoint)listener.LocalEndpoint);
            _loops.Add(Task.Run(() => AcceptLoopAsync(listener, transport)));
        }
    }

    /// <summary>A Via for a request this endpoint sends: its advertised host and listening port, a branch, and rport (RFC 3581).</summary>
    public SipVia CreateVia(string transport, string branch)
    {
        var (host, port) = SentBy(transport);
        var via = new SipVia(transport, host, port, branch);
        via.Parameters.Set("rport", null);
        return via;
    }

    /// <summary>A Contact URI at this endpoint for the transport.</summary>
    public SipUri ContactUri(string transport, string? user = null)
    {
        var (host, port) = SentBy(transport);
        var uri = SipUri.Sip(user, host, port, secure: false);
        return transport == SipTransports.Udp ? uri : uri.WithParameter("transport", transport.ToLowerInvariant());
    }

    /// <summary>Sends a request (or an ACK) to a target, on a connection to it when there is one (opening one if not).</summary>
    public async Task SendAsync(SipMessage message, SipTarget target, CancellationToken cancellationToken = default)
    {
        var bytes = message.ToBytes();
        if (target.Flow?.Connection is { IsOpen: true } flow)
        {
            await flow.SendAsync(bytes, cancellationToken).ConfigureAwait(false);
            return;
        }
        if (target.Transport == SipTransports.Udp)
        {
            await SendDatagramAsync(bytes, target.EndPoint, cancellationToken).ConfigureAwait(false);
            return;
        }
        var connection = await GetOrConnectAsync(target, cancellationToken).ConfigureAwait(false);
        await connection.SendAsync(bytes, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Sends a response where RFC 3261 18.2.2 and RFC 3581 say: on the request's connection while
    /// it is open, else to the top Via's received address (or sent-by host) and its rport (or
    /// sent-by port); over UDP the same, by datagram. A response whose Via cannot be read goes back
    /// to where the request came from.
    /// </summary>
    public async Task SendResponseAsync(SipResponse response, SipFlow? requestFlow, CancellationToken cancellationToken = default)
    {
        var bytes = response.ToBytes();
        if (requestFlow?.Connection is { IsOpen: true } connection)
        {
            await connection.SendAsync(bytes, cancellationToken).ConfigureAwait(false);
            return;
        }
        var target = ResponseTarget(response, requestFlow)
            ?? throw new SipTransportException("The response has no address to go to.");
        if (target.Transport == SipTransports.Udp)
        {
            await SendDatagramAsync(bytes, target.EndPoint, cancellationToken).ConfigureAwait(false);
            return;
        }
        var reopened = await GetOrConnectAsync(target, cancellationToken).ConfigureAwait(false);
        await reopened.SendAsync(bytes, cancellationToken).ConfigureAwait(false);
    }

    public async ValueTask DisposeAsync()
    {
        _stopping.Cancel();
        _udp?.Dispose();
        foreach (var listener in _listeners.Values)
        {
            listener.Stop();
        }
        foreach (var connection in _connections.Values)
        {
            await connection.DisposeAsync().ConfigureAwait(false);
        }
        try
        {
            await Task.WhenAll(_loops).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
        }
    }

    internal void Forget(SipConnection connection)
    {
        if (_connections.TryRemove(new((connection.Flow.Transport, connection.Flow.Remote), connection)))
        {
            Interlocked.Decrement(ref _connectionCount);
        }
    }

    /// <summary>Parses what a socket read and hands it on; a malformed request gets its answer.</summary>
    internal async Task DeliverAsync(ReadOnlyMemory<byte> bytes, SipFlow flow, bool datagram)
    {
        var result = SipMessageParser.Parse(bytes.Span, Options.Limits, datagram);
        if (result.IsKeepAlive)
        {
            return;
        }
        if (result.Message is not { } message)
        {
            Counters.Refuse();
            SipLog.Refused(Logger, flow.Transport, flow.Remote, result.Status, result.Error!);
            if (result.Response is { } refusal)
            {
                await TryAnswerRefusalAsync(refusal, flow).ConfigureAwait(false);
            }
            return;
        }
        Counters.Receive();
        if (message is SipRequest)
        {
            MarkReceived(message, flow);
        }
        try
        {
            MessageReceived?.Invoke(new SipReceived(message, flow));
        }
        catch (Exception e)
        {
            Counters.HandlerFailed();
            SipLog.HandlerFailed(Logger, e, flow.Transport, flow.Remote);
        }
    }

    /// <summary>A refused request is answered where it came from: its Via may be what was wrong with it.</summary>
    private async Task TryAnswerRefusalAsync(SipResponse response, SipFlow flow)
    {
        try
        {
            if (flow.Connection is { } connection)
            {
                await connection.SendAsync(response.ToBytes(), _stopping.Token).ConfigureAwait(false);
            }
            else
            {
                await SendDatagramAsync(response.ToBytes(), flow.Remote, _stopping.Token).ConfigureAwait(false);
            }
        }
        catch (Exception e) when (e is SipTransportException or SocketException or OperationCanceledException or ObjectDisposedException)
        {
            SipLog.ResponseNotSent(Logger, flow.ToString(), e.Message);
        }
    }

    /// <summary>RFC 3261 18.2.1 and RFC 3581 4: received when the source differs from sent-by (always with rport), rport filled in.</summary>
    private static void MarkReceived(SipMessage request, SipFlow flow)
    {
        if (request.Headers.GetValues(HeaderNames.Via) is not [var top, ..])
        {
            return;
        }
        var via = SipVia.Parse(top);
        var source = flow.Remote.Address.IsIPv4MappedToIPv6 ? flow.Remote.Address.MapToIPv4() : flow.Remote.Address;
        var sentBy = via.Host.Trim('[', ']');
        if (!via.HasRPort && IPAddress.TryParse(sentBy, out var claimed) && claimed.Equals(source))
        {
            return;
        }
        via.Parameters.Set("received", source.ToString());
        if (via.HasRPort)
        {
            via.Parameters.Set("rport", flow.Remote.Port.ToString(System.Globalization.CultureInfo.InvariantCulture));
        }
        request.Headers.RemoveFirstValue(HeaderNames.Via);
        request.Headers.AddFirst(HeaderNames.Via, via.ToString());
    }

    private SipTarget? ResponseTarget(SipResponse response, SipFlow? flow)
    {
        SipVia? via = null;
        try
        {
            via = response.TopVia;
        }
        catch (SipFormatException)
        {
        }
        if (via is null || SipTransports.Normalize(via.Transport) is not { } transport)
        {
            return flow is null ? null : new SipTarget(flow.Transport, flow.Remote);
        }
        var host = (via.Received ?? via.Host).Trim('[', ']');
        // rport names the port a datagram came from; a closed connection's port is no use, so a
        // stream goes to the sent-by port (RFC 3261 18.2.2).
        var port = (transport == SipTransports.Udp ? via.RPort : null) ?? via.Port ?? SipTransports.DefaultPort(transport);
        if (!IPAddress.TryParse(host, out var address))
        {
            return flow is null ? null : new SipTarget(flow.Transport, flow.Remote);
        }
        return new SipTarget(transport, new IPEndPoint(address, port), via.Host);
    }

    private (string Host, int Port) SentBy(string transport)
    {
        var local = LocalEndPoint(transport) ?? LocalEndPoint(SipTransports.Udp) ?? LocalEndPoint(SipTransports.Tcp)
            ?? throw new InvalidOperationException("No listener is running.");
        var host = Options.AdvertisedHost ?? Format(local.Address);
        return (host, local.Port);
    }

    private static string Format(IPAddress address) => address.AddressFamily == AddressFamily.InterNetworkV6 ? $"[{address}]" : address.ToString();

    private async Task SendDatagramAsync(byte[] bytes, IPEndPoint target, CancellationToken cancellationToken)
    {
        var socket = _udp ?? throw new SipTransportException("No UDP listener to send from.");
        if (bytes.Length > Options.Limits.MaxMessageBytes)
        {
            throw new SipTransportException("Message too large for a datagram.");
        }
        try
        {
            await socket.SendToAsync(bytes, SocketFlags.None, target, cancellationToken).ConfigureAwait(false);
        }
        catch (SocketException e)
        {
            throw new SipTransportException($"Sending to {target} failed.", e);
        }
    }

    private async Task UdpLoopAsync()
    {
        var socket = _udp!;
        var local = (IPEndPoint)socket.LocalEndPoint!;
        var buffer = new byte[65_535];
        EndPoint any = new IPEndPoint(local.AddressFamily == AddressFamily.InterNetworkV6 ? IPAddress.IPv6Any : IPAddress.Any, 0);
        while (!_stopping.IsCancellationRequested)
        {
            SocketReceiveFromResult received;
            try
            {
                received = await socket.ReceiveFromAsync(buffer, SocketFlags.None, any, _stopping.Token).ConfigureAwait(false);
            }
            catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException)
            {
                return;
            }
            catch (SocketException e)
            {
                SipLog.ReceiveFailed(Logger, e, SipTransports.Udp);
                continue;
            }
            var flow = new SipFlow(SipTransports.Udp, (IPEndPoint)received.RemoteEndPoint, local);
            await DeliverAsync(buffer.AsMemory(0, received.ReceivedBytes), flow, datagram: true).ConfigureAwait(false);
        }
    }

    private async Task AcceptLoopAsync(TcpListener listener, string transport)
    {
        while (!_stopping.IsCancellationRequested)
        {
            Socket socket;
            try
            {
                socket = await listener.AcceptSocketAsync(_stopping.Token).ConfigureAwait(false);
            }
            catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException or SocketException)
            {
                if (_stopping.IsCancellationRequested)
                {
                    return;
                }
                continue;
            }
            _ = Task.Run(() => AcceptAsync(socket, transport));
        }
    }

    private async Task AcceptAsync(Socket socket, string transport)
    {
        var remote = (IPEndPoint)socket.RemoteEndPoint!;
        if (Interlocked.Increment(ref _connectionCount) > Options.MaxConnections)
        {
            Interlocked.Decrement(ref _connectionCount);
            SipLog.TooManyConnections(Logger, remote, Options.MaxConnections);
            socket.Dispose();
            return;
        }
        socket.NoDelay = true;
        Stream stream = new NetworkStream(socket, ownsSocket: true);
        try
        {
            if (transport == SipTransports.Tls)
            {
                var tls = new SslStream(stream, leaveInnerStreamOpen: false);
                stream = tls;
                using var timeout = new CancellationTokenSource(Options.ConnectTimeout, Time);
                await tls.AuthenticateAsServerAsync(ServerOptions(), timeout.Token).ConfigureAwait(false);
            }
        }
        catch (Exception e) when (e is AuthenticationException or IOException or OperationCanceledException or SocketException)
        {
            SipLog.HandshakeFailed(Logger, remote, e.Message);
            Interlocked.Decrement(ref _connectionCount);
            await stream.DisposeAsync().ConfigureAwait(false);
            return;
        }
        Register(new SipConnection(stream, transport, remote, (IPEndPoint)socket.LocalEndPoint!, this), counted: true);
    }

    private SslServerAuthenticationOptions ServerOptions()
    {
        var asked = Options.TlsServer!;
        return new SslServerAuthenticationOptions
        {
            ServerCertificate = asked.ServerCertificate,
            ServerCertificateContext = asked.ServerCertificateContext,
            ServerCertificateSelectionCallback = asked.ServerCertificateSelectionCallback,
            ClientCertificateRequired = asked.ClientCertificateRequired,
            RemoteCertificateValidationCallback = asked.RemoteCertificateValidationCallback,
            CipherSuitesPolicy = asked.CipherSuitesPolicy,
            EnabledSslProtocols = SslProtocols.Tls12 | SslProtocols.Tls13,
        };
    }

    private SslClientAuthenticationOptions ClientOptions(SipTarget target)
    {
        var options = Options.TlsClient?.Invoke(target) ?? new SslClientAuthenticationOptions
        {
            TargetHost = target.HostName ?? target.EndPoint.Address.ToString(),
            RemoteCertificateValidationCallback = Options.TlsClientValidation,
        };
        options.EnabledSslProtocols = SslProtocols.Tls12 | SslProtocols.Tls13;
        return options;
    }

    private async Task<SipConnection> GetOrConnectAsync(SipTarget target, CancellationToken cancellationToken)
    {
        if (_connections.TryGetValue((target.Transport, target.EndPoint), out var existing) && existing.IsOpen)
        {
            return existing;
        }
        if (Interlocked.Increment(ref _connectionCount) > Options.MaxConnections)
        {
            Interlocked.Decrement(ref _connectionCount);
            throw new SipTransportException($"{Options.MaxConnections} connections are open.");
        }
        var socket = new Socket(target.EndPoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        Stream? stream = null;
        try
        {
            using var deadline = new CancellationTokenSource(Options.ConnectTimeout, Time);
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, _stopping.Token, deadline.Token);
            await socket.ConnectAsync(target.EndPoint, timeout.Token).ConfigureAwait(false);
            stream = new NetworkStream(socket, ownsSocket: true);
            if (target.Transport == SipTransports.Tls)
            {
                var tls = new SslStream(stream, leaveInnerStreamOpen: false);
                stream = tls;
                await tls.AuthenticateAsClientAsync(ClientOptions(target), timeout.Token).ConfigureAwait(false);
            }
        }
        catch (Exception e) when (e is SocketException or IOException or AuthenticationException or OperationCanceledException)
        {
            Interlocked.Decrement(ref _connectionCount);
            if (stream is not null)
            {
                await stream.DisposeAsync().ConfigureAwait(false);
            }
            socket.Dispose();
            throw new SipTransportException($"Connecting to {target} failed: {e.Message}", e);
        }
        var connection = new SipConnection(stream, target.Transport, target.EndPoint, (IPEndPoint)socket.LocalEndPoint!, this);
        return Register(connection, counted: true);
    }

    private SipConnection Register(SipConnection connection, bool counted)
    {
        var key = (connection.Flow.Transport, connection.Flow.Remote);
        var kept = _connections.AddOrUpdate(key, connection, (_, old) => old.IsOpen ? old : connection);
        if (kept != connection)
        {
            // Another connection to the same peer won the race: use it, close this one.
            if (counted)
            {
                Interlocked.Decrement(ref _connectionCount);
            }
            _ = connection.DisposeAsync().AsTask();
            return kept;
        }
        connection.Start();
        return connection;
    }
}
