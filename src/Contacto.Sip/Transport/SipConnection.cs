using System.Net;
using Contacto.Sip.Messages;
using Microsoft.Extensions.Logging;

namespace Contacto.Sip.Transport;

/// <summary>
/// One TCP or TLS connection, opened by either side: reads messages framed by Content-Length
/// into a buffer no larger than the message limit, writes one message at a time, answers
/// keep-alive pings, and closes after a malformed frame or when idle.
/// </summary>
internal sealed class SipConnection : IAsyncDisposable
{
    private readonly Stream _stream;
    private readonly SipTransportLayer _owner;
    private readonly SemaphoreSlim _writing = new(1, 1);
    private readonly CancellationTokenSource _closing = new();
    private readonly ITimer _idle;
    private readonly TimeSpan _idleTimeout;
    private Task _reading = Task.CompletedTask;
    private int _closed;

    public SipConnection(Stream stream, string transport, IPEndPoint remote, IPEndPoint local, SipTransportLayer owner)
    {
        _stream = stream;
        _owner = owner;
        _idleTimeout = owner.Options.ConnectionIdleTimeout;
        Flow = new SipFlow(transport, remote, local, this);
        _idle = owner.Time.CreateTimer(_ => Close("idle"), null, _idleTimeout, Timeout.InfiniteTimeSpan);
    }

    public SipFlow Flow { get; }

    public bool IsOpen => Volatile.Read(ref _closed) == 0;

    public void Start() => _reading = Task.Run(ReadLoopAsync);

    public async Task SendAsync(byte[] bytes, CancellationToken cancellationToken)
    {
        if (!IsOpen)
        {
            throw new SipTransportException($"Connection to {Flow.Remote} is closed.");
        }
        await _writing.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await _stream.WriteAsync(bytes, cancellationToken).ConfigureAwait(false);
            await _stream.FlushAsync(cancellationToken).ConfigureAwait(false);
            _idle.Change(_idleTimeout, Timeout.InfiniteTimeSpan);
        }
        catch (Exception e) when (e is IOException or ObjectDisposedException or System.Net.Sockets.SocketException)
        {
            Close("write failed");
            throw new SipTransportException($"Sending to {Flow.Remote} failed.", e);
        }
        finally
        {
            _writing.Release();
        }
    }

    public void Close(string reason)
    {
        if (Interlocked.Exchange(ref _closed, 1) != 0)
        {
            return;
        }
        SipLog.ConnectionClosed(_owner.Logger, Flow.Transport, Flow.Remote, reason);
        _idle.Dispose();
        _closing.Cancel();
        _stream.Dispose();
        _owner.Forget(this);
    }

    public async ValueTask DisposeAsync()
    {
        Close("shut down");
        await _reading.ConfigureAwait(false);
    }

    private async Task ReadLoopAsync()
    {
        var limit = _owner.Options.Limits.MaxMessageBytes;
        var buffer = new byte[Math.Min(limit, 16 * 1024)];
        var count = 0;
        try
        {
            while (IsOpen)
            {
                if (count == buffer.Length)
                {
                    // Grows only while a message under the limit is still arriving.
                    Array.Resize(ref buffer, Math.Min(limit, buffer.Length * 2));
                }
                var read = await _stream.ReadAsync(buffer.AsMemory(count), _closing.Token).ConfigureAwait(false);
                if (read == 0)
                {
                    Close("closed by peer");
                    return;
                }
                _idle.Change(_idleTimeout, Timeout.InfiniteTimeSpan);
                count += read;
                var offset = 0;
                while (IsOpen)
                {
                    var kind = SipStreamFramer.Next(buffer.AsSpan(offset, count - offset), limit, out var length);
                    if (kind == FrameKind.NeedMore)
                    {
                        break;
                    }
                    if (kind == FrameKind.Unframeable)
                    {
                        await RefuseAsync(buffer.AsMemory(offset, Math.Min(count - offset, limit))).ConfigureAwait(false);
                        Close("unframeable message");
                        return;
                    }
                    if (kind == FrameKind.Ping)
                    {
                        await SendAsync("\r\n"u8.ToArray(), _closing.Token).ConfigureAwait(false);
                    }
                    else if (kind == FrameKind.Message)
                    {
                        await _owner.DeliverAsync(buffer.AsMemory(offset, length), Flow, datagram: false).ConfigureAwait(false);
                    }
                    offset += length;
                }
                if (offset > 0)
                {
                    Buffer.BlockCopy(buffer, offset, buffer, 0, count - offset);
                    count -= offset;
                }
            }
        }
        catch (Exception e) when (e is IOException or ObjectDisposedException or OperationCanceledException or SipTransportException
                                   or System.Net.Sockets.SocketException or System.Security.Authentication.AuthenticationException)
        {
            Close(e is OperationCanceledException ? "closed" : "read failed");
        }
    }

    /// <summary>A request that cannot be framed still gets its 400 when its head can be read, then the connection closes.</summary>
    private async Task RefuseAsync(ReadOnlyMemory<byte> head)
    {
        var end = head.Span.IndexOf("\r\n\r\n"u8);
        var result = SipMessageParser.Parse(end < 0 ? head.Span : head.Span[..(end + 4)], _owner.Options.Limits);
        SipLog.Refused(_owner.Logger, Flow.Transport, Flow.Remote, 400, "Content-Length missing, invalid or past the limit");
        _owner.Counters.Refuse();
        var response = result.Message is SipRequest { Method: not SipMethods.Ack } request
            ? SipResponse.CreateFor(request, 400, "Bad Request (Content-Length)", SipIds.NewTag())
            : result.Response;
        if (response is not null)
        {
            try
            {
                await SendAsync(response.ToBytes(), _closing.Token).ConfigureAwait(false);
            }
            catch (SipTransportException)
            {
            }
        }
    }
}
