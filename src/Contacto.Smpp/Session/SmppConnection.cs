using System.Buffers;
using System.IO.Pipelines;
using System.Threading.Channels;
using Contacto.Smpp.Protocol;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Contacto.Smpp.Session;

/// <summary>
/// One SMPP connection over a stream, on either side: frames PDUs, numbers and pipelines
/// requests within a window, matches responses, times them out, keeps the link alive and
/// detects a dead peer, answers enquire_link, unbind and unknown commands by itself, and
/// hands other requests to an <see cref="InboundRequestHandler"/>.
/// </summary>
public sealed class SmppConnection : IAsyncDisposable
{
    private const int FlushThreshold = 64 * 1024;

    private readonly Stream _stream;
    private readonly SmppConnectionOptions _options;
    private readonly InboundRequestHandler _handler;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly PipeReader _input;
    private readonly PipeWriter _output;
    private readonly Channel<byte[]> _outbound = Channel.CreateUnbounded<byte[]>(new() { SingleReader = true });
    private readonly SemaphoreSlim _window;
    private readonly SemaphoreSlim _inboundSlots;
    private readonly PendingRequests _pending;
    private readonly SequenceNumbers _sequences = new();
    private readonly KeepAlive _keepAlive;
    private readonly CancellationTokenSource _closing = new();
    private readonly TaskCompletionSource<ConnectionCloseReason> _completion =
        new(TaskCreationOptions.RunContinuationsAsynchronously);

    private ITimer? _ticker;
    private Task _readLoop = Task.CompletedTask;
    private Task _writeLoop = Task.CompletedTask;
    private int _queued;
    private volatile bool _draining;
    private volatile bool _unbindReceived;

    public SmppConnection(
        Stream stream,
        SmppConnectionOptions options,
        InboundRequestHandler handler,
        TimeProvider? timeProvider = null,
        ILogger? logger = null)
    {
        options.Validate();
        _stream = stream;
        _options = options;
        _handler = handler;
        _time = timeProvider ?? TimeProvider.System;
        _logger = logger ?? NullLogger.Instance;
        _input = PipeReader.Create(stream, new StreamPipeReaderOptions(bufferSize: 64 * 1024, leaveOpen: true));
        _output = PipeWriter.Create(stream, new StreamPipeWriterOptions(leaveOpen: true));
        _window = new SemaphoreSlim(options.WindowSize, options.WindowSize);
        _inboundSlots = new SemaphoreSlim(options.MaxInboundInFlight, options.MaxInboundInFlight);
        _pending = new PendingRequests(_window);
        _keepAlive = new KeepAlive(
            options, _time, (probe, timeout) => SendCoreAsync(probe, timeout, holdsWindowSlot: false), OnDeadPeer);
    }

    /// <summary>Completes, with the reason, once the connection has ended.</summary>
    public Task<ConnectionCloseReason> Completion => _completion.Task;

    /// <summary>Open and taking requests: not ended, and neither side has asked to unbind.</summary>
    public bool IsOpen => !Ended && !_draining && !_unbindReceived;

    public string Name => _options.Name;

    /// <summary>Requests sent and not yet answered.</summary>
    public int Outstanding => _pending.Count;

    /// <summary>Round trip of the last answered enquire_link, or null before the first one.</summary>
    public TimeSpan? LastEnquireLinkRoundTrip => _keepAlive.LastRoundTrip;

    /// <summary>Starts reading, writing and the keep-alive clock.</summary>
    public void Start()
    {
        _keepAlive.Start();
        _writeLoop = Task.Run(WriteLoopAsync);
        _readLoop = Task.Run(ReadLoopAsync);
        _ticker = _time.CreateTimer(_ => OnTick(), null, _options.TickInterval, _options.TickInterval);
    }

    /// <summary>
    /// Sends a request once a window slot is free and returns the peer's response, which may
    /// carry an error status or be a generic_nack. Throws <see cref="SmppResponseTimeoutException"/>
    /// or <see cref="SmppConnectionClosedException"/>; invalid fields throw <see cref="ArgumentException"/>
    /// before anything is sent. Cancellation stops only the wait for a window slot: a request on
    /// its way to the peer gets its answer (or its time-out), so the caller always learns whether
    /// the peer took what it was sent.
    /// </summary>
    public async Task<Pdu> SendRequestAsync(Pdu request, CancellationToken cancellationToken = default)
    {
        if (request.CommandId.IsResponse())
        {
            throw new ArgumentException("Send responses with SendResponse.", nameof(request));
        }
        ThrowIfClosed();
        await _window.WaitAsync(cancellationToken).ConfigureAwait(false);
        if (!IsOpen)
        {
            _window.Release();
            ThrowIfClosed();
            throw new SmppConnectionClosedException(ConnectionCloseReason.Local);
        }
        return await SendCoreAsync(request, _options.ResponseTimeout, holdsWindowSlot: true).ConfigureAwait(false);
    }

    /// <summary>Queues a response to a request of the peer.</summary>
    public void SendResponse(Pdu response)
    {
        if (!response.CommandId.IsResponse())
        {
            throw new ArgumentException("Send requests with SendRequestAsync.", nameof(response));
        }
        Enqueue(PduCodec.Encode(response));
    }

    /// <summary>
    /// Clean shutdown: refuses new requests, lets those in flight finish (bounded by the
    /// response time-out), sends unbind, waits for unbind_resp, then closes.
    /// </summary>
    public async Task UnbindAsync(CancellationToken cancellationToken = default)
    {
        if (!IsOpen)
        {
            return;
        }
        _draining = true;
        var deadline = _time.GetTimestamp() + ToTimestampTicks(_options.ResponseTimeout);
        while (_pending.Count > 0 && !Ended && _time.GetTimestamp() < deadline)
        {
            await Task.WhenAny(Completion, Task.Delay(_options.TickInterval, _time, cancellationToken)).ConfigureAwait(false);
        }
        try
        {
            if (!Ended)
            {
                await SendCoreAsync(new HeaderOnlyPdu(CommandId.Unbind), _options.ResponseTimeout, holdsWindowSlot: false)
                    .WaitAsync(cancellationToken).ConfigureAwait(false);
            }
        }
        catch (SmppException e)
        {
            SmppLog.UnbindNotAnswered(_logger, Name, e.Message);
        }
        await CloseAsync(ConnectionCloseReason.Local).ConfigureAwait(false);
    }

    /// <summary>Ends the connection now: what is queued is flushed briefly, pending requests fail.</summary>
    public async Task CloseAsync(ConnectionCloseReason reason = ConnectionCloseReason.Local)
    {
        _outbound.Writer.TryComplete();
        await Task.WhenAny(_writeLoop, Task.Delay(_options.TickInterval * 4, _time)).ConfigureAwait(false);
        Abort(reason);
        await Task.WhenAll(_readLoop, _writeLoop).ConfigureAwait(false);
    }

    public ValueTask DisposeAsync() => new(CloseAsync());

    private Task<Pdu> SendCoreAsync(Pdu request, TimeSpan timeout, bool holdsWindowSlot)
    {
        var sequence = _sequences.Next();
        request.SequenceNumber = sequence;
        byte[] frame;
        try
        {
            frame = PduCodec.Encode(request);
        }
        catch (ArgumentException)
        {
            // A field that does not fit: nothing was sent, so the slot goes back at once.
            if (holdsWindowSlot)
            {
                _window.Release();
            }
            throw;
        }
        var deadline = _time.GetTimestamp() + ToTimestampTicks(timeout);
        var response = _pending.Add(sequence, request.CommandId.ResponseFor(), deadline, holdsWindowSlot);
        if (!Enqueue(frame))
        {
            _pending.Fail(sequence, new SmppConnectionClosedException(CloseReasonSoFar()));
        }
        return response;
    }

    private bool Enqueue(byte[] frame)
    {
        if (Interlocked.Increment(ref _queued) > _options.MaxQueuedFrames)
        {
            SmppLog.PeerNotReading(_logger, Name, _options.MaxQueuedFrames);
            Abort(ConnectionCloseReason.PeerNotReading);
            return false;
        }
        return _outbound.Writer.TryWrite(frame);
    }

    private async Task WriteLoopAsync()
    {
        var reader = _outbound.Reader;
        try
        {
            while (await reader.WaitToReadAsync(_closing.Token).ConfigureAwait(false))
            {
                while (reader.TryRead(out var frame))
                {
                    Interlocked.Decrement(ref _queued);
                    _output.Write(frame);
                    if (_output.UnflushedBytes >= FlushThreshold)
                    {
                        await _output.FlushAsync(_closing.Token).ConfigureAwait(false);
                    }
                }
                await _output.FlushAsync(_closing.Token).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (_closing.IsCancellationRequested)
        {
        }
        catch (Exception e) when (e is IOException or ObjectDisposedException or InvalidOperationException)
        {
            SmppLog.WriteFailed(_logger, Name, e.Message);
            Abort(ConnectionCloseReason.TransportError);
        }
        catch (Exception e)
        {
            SmppLog.WriteFailedUnexpectedly(_logger, e, Name);
            Abort(ConnectionCloseReason.TransportError);
        }
    }

    private async Task ReadLoopAsync()
    {
        var reason = ConnectionCloseReason.TransportError;
        try
        {
            while (true)
            {
                var result = await _input.ReadAsync(_closing.Token).ConfigureAwait(false);
                var buffer = result.Buffer;
                while (PduCodec.TryReadFrameLength(buffer, _options.MaxPduLength, out var length) && buffer.Length >= length)
                {
                    var frame = buffer.Slice(0, length);
                    buffer = buffer.Slice(length);
                    OnFrame(frame);
                }
                _input.AdvanceTo(buffer.Start, buffer.End);
                if (result.IsCompleted)
                {
                    reason = EndOfStreamReason();
                    break;
                }
            }
        }
        catch (OperationCanceledException) when (_closing.IsCancellationRequested)
        {
        }
        catch (PduFormatException e)
        {
            SmppLog.FramingLost(_logger, Name, e.Message);
            reason = ConnectionCloseReason.ProtocolError;
        }
        catch (Exception e) when (e is IOException or ObjectDisposedException or InvalidOperationException)
        {
            SmppLog.ReadFailed(_logger, Name, e.Message);
            reason = _unbindReceived || _draining ? EndOfStreamReason() : ConnectionCloseReason.TransportError;
        }
        catch (Exception e)
        {
            // Whatever went wrong, end the connection rather than leave it half alive.
            SmppLog.ReadFailedUnexpectedly(_logger, e, Name);
        }
        Abort(reason);
    }

    private void OnFrame(ReadOnlySequence<byte> frame)
    {
        _keepAlive.OnReceived();
        Pdu pdu;
        try
        {
            pdu = Decode(frame);
        }
        catch (PduFormatException e) when (!e.FramingLost)
        {
            // The frame was whole, so the stream is still in step: refuse this PDU only.
            SmppLog.MalformedPdu(_logger, Name, e.Message);
            var nack = e.CommandId is { } id && !id.IsResponse()
                ? ErrorResponses.For(new UnknownPdu(id) { SequenceNumber = e.SequenceNumber }, e.Status)
                : HeaderOnlyPdu.GenericNack(e.Status, e.SequenceNumber);
            SendResponse(nack);
            return;
        }
        if (pdu.CommandId.IsResponse())
        {
            if (!_pending.TryResolve(pdu))
            {
                SmppLog.UnexpectedPdu(_logger, Name, pdu.CommandId, pdu.SequenceNumber);
            }
            return;
        }
        OnRequest(pdu);
    }

    private static Pdu Decode(ReadOnlySequence<byte> frame)
    {
        if (frame.IsSingleSegment)
        {
            return PduCodec.Decode(frame.FirstSpan);
        }
        var copy = ArrayPool<byte>.Shared.Rent((int)frame.Length);
        try
        {
            frame.CopyTo(copy);
            return PduCodec.Decode(copy.AsSpan(0, (int)frame.Length));
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(copy);
        }
    }

    private void OnRequest(Pdu request)
    {
        switch (request)
        {
            case { CommandId: CommandId.EnquireLink }:
                Respond(new HeaderOnlyPdu(CommandId.EnquireLinkResp), request);
                return;
            case { CommandId: CommandId.Unbind }:
                _unbindReceived = true;
                Respond(new HeaderOnlyPdu(CommandId.UnbindResp), request);
                _ = CloseAsync(ConnectionCloseReason.PeerUnbound);
                return;
            case UnknownPdu:
                SendResponse(HeaderOnlyPdu.GenericNack(CommandStatus.InvalidCommandId, request.SequenceNumber));
                return;
        }
        // Past the limit a request is refused as throttled, as SMPP lets a busy party do, rather
        // than reading pausing: a pause would hold back the responses and keep-alives behind it,
        // and a handler may be waiting on one of those (a receipt for a submit whose response is
        // still unread), so the link would stall until the peer was declared dead.
        if (!_inboundSlots.Wait(0))
        {
            if (!ErrorResponses.ExpectsNoResponse(request))
            {
                SendResponse(ErrorResponses.For(request, CommandStatus.Throttled));
            }
            return;
        }
        ValueTask<Pdu?> handling;
        try
        {
            handling = _handler(this, request, _closing.Token);
        }
        catch (Exception e)
        {
            handling = ValueTask.FromException<Pdu?>(e);
        }
        if (handling.IsCompletedSuccessfully)
        {
            RespondAndRelease(request, handling.Result);
        }
        else
        {
            _ = FinishHandlingAsync(request, handling);
        }
    }

    private async Task FinishHandlingAsync(Pdu request, ValueTask<Pdu?> handling)
    {
        Pdu? response;
        try
        {
            response = await handling.ConfigureAwait(false);
        }
        catch (Exception e)
        {
            SmppLog.HandlerFailed(_logger, Name, request.CommandId, e.GetType().Name);
            response = ErrorResponses.ExpectsNoResponse(request) ? null : ErrorResponses.For(request, CommandStatus.TemporaryAppError);
        }
        RespondAndRelease(request, response);
    }

    private void RespondAndRelease(Pdu request, Pdu? response)
    {
        _inboundSlots.Release();
        if (response is not null)
        {
            Respond(response, request);
        }
    }

    private void Respond(Pdu response, Pdu request)
    {
        response.SequenceNumber = request.SequenceNumber;
        SendResponse(response);
    }

    private void OnTick()
    {
        if (Ended)
        {
            return;
        }
        _pending.ExpireDue(_time.GetTimestamp());
        _keepAlive.OnTick();
    }

    private void OnDeadPeer()
    {
        SmppLog.PeerDead(_logger, Name);
        Abort(ConnectionCloseReason.DeadPeer);
    }

    private void Abort(ConnectionCloseReason reason)
    {
        if (!_completion.TrySetResult(reason))
        {
            return;
        }
        _ticker?.Dispose();
        _closing.Cancel();
        _outbound.Writer.TryComplete();
        _pending.FailAll(new SmppConnectionClosedException(reason));
        _stream.Dispose();
        SmppLog.Closed(_logger, Name, reason);
    }

    private bool Ended => _completion.Task.IsCompleted || _closing.IsCancellationRequested;

    // Once either side has asked to unbind, the socket closing is the expected end, not a failure.
    private ConnectionCloseReason EndOfStreamReason() =>
        _unbindReceived ? ConnectionCloseReason.PeerUnbound
        : _draining ? ConnectionCloseReason.Local
        : ConnectionCloseReason.PeerClosed;

    private ConnectionCloseReason CloseReasonSoFar() =>
        _completion.Task.IsCompleted ? _completion.Task.Result : ConnectionCloseReason.Local;

    private void ThrowIfClosed()
    {
        if (_completion.Task.IsCompleted)
        {
            throw new SmppConnectionClosedException(_completion.Task.Result);
        }
    }

    private long ToTimestampTicks(TimeSpan span) => (long)(span.TotalSeconds * _time.TimestampFrequency);
}
