using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using System.Threading.Channels;
using Contacto.Media.Audio;
using Contacto.Media.Codecs;
using Contacto.Media.Dtmf;
using Contacto.Media.Recording;
using Contacto.Media.Rtp;
using Contacto.Media.Sdp;
using Contacto.Media.Srtp;

namespace Contacto.Media.Engine;

/// <summary>
/// One call leg's media: its RTP/RTCP sockets, the negotiated codec and keys, the playout
/// buffer, what it plays, what it records, the digits it hears and sends. A pacing loop calls
/// <see cref="SendTick"/> and <see cref="HearTick"/> every 10 ms, and the latter takes the RTP
/// packets that arrived; an asynchronous receive loop takes RTCP. Every public member is safe to
/// call from any thread.
/// </summary>
public sealed class MediaSession : IAsyncDisposable
{
    private const int Frame = JitterBuffer.SlotSamples;
    private const int MaxPacket = 1500;
    private readonly MediaEngine _engine;
    private readonly RtpPortLease _ports;
    private readonly MediaEngineOptions _options;
    private readonly TimeProvider _time;
    private readonly Lock _gate = new();
    private readonly CancellationTokenSource _stop = new();
    private readonly JitterBuffer _jitter;
    private readonly RtpReceiveStatistics _statistics = new();
    private readonly TelephoneEventReceiver _events = new();
    private readonly TelephoneEventSender _eventSender = new();
    private readonly GoertzelDetector _inBand = new();
    private readonly Channel<DtmfDigit> _digits = Channel.CreateBounded<DtmfDigit>(new BoundedChannelOptions(256) { FullMode = BoundedChannelFullMode.DropOldest });
    private readonly Queue<Playback> _playbacks = new();
    private readonly short[] _inbound = new short[Frame];
    private readonly short[] _outbound = new short[Frame];
    private readonly short[] _pending = new short[240];
    private readonly short[] _decoded = new short[2048];
    private readonly byte[] _sendBuffer = new byte[MaxPacket];
    private readonly byte[] _rtcpBuffer = new byte[RtcpPacket.MaxLength + 64];
    private readonly uint _ssrc = (uint)Random.Shared.NextInt64(1, uint.MaxValue);
    private readonly string _cname;
    private NegotiatedMedia? _media;
    private SrtpContext? _sendSrtp;
    private SrtpContext? _receiveSrtp;
    private SocketAddress? _remoteRtp;
    private SocketAddress? _remoteRtcp;
    private SocketAddress? _latched;
    private long _latchedAt;
    private uint? _remoteSsrc;
    private int _pendingSamples;
    private ushort _sequence = (ushort)Random.Shared.Next(ushort.MaxValue);
    private uint _timestamp = (uint)Random.Shared.NextInt64(uint.MaxValue);
    private long _packetsSent;
    private long _octetsSent;
    private long _dropped;
    private long _authenticationFailures;
    private long _nextRtcp;
    private uint _lastSenderReport;
    private long _lastSenderReportAt;
    private RtcpReportBlock? _remoteReport;
    private double? _roundTrip;
    private bool _sawTelephoneEvent;
    private CallRecording? _recording;
    private MediaSession? _bridgePeer;
    private short[] _bridgeFrame = new short[Frame];
    private long _bridgeFrameTick = -1;
    private long _tickCount;
    private long? _firstArrivalNanoseconds;
    private bool _closed;
    private int _disposed;

    internal MediaSession(MediaEngine engine, RtpPortLease ports, MediaEngineOptions options, TimeProvider time)
    {
        _engine = engine;
        _ports = ports;
        _options = options;
        _time = time;
        _jitter = new JitterBuffer(options.JitterMinimumMilliseconds, options.JitterMaximumMilliseconds);
        _cname = $"{_ssrc:x8}@contacto";
        _nextRtcp = time.GetTimestamp();
        // RTP is taken by the pacing loop at each tick (no thread of its own to wait for, or to
        // hold the session while the loop waits); RTCP, a packet every few seconds, by a receive loop.
        RtpBatchReceiver.EnableTimestamps(ports.Rtp);
        _ = ReceiveRtcpAsync(ports.Rtcp);
    }

    /// <summary>The bound RTP port (RTCP is the next one): what the SDP offers or answers.</summary>
    public int RtpPort => _ports.RtpPort;

    public int RtcpPort => _ports.RtcpPort;

    /// <summary>Digits heard on this leg (RFC 4733, in-band, SIP INFO), each once, in order.</summary>
    public ChannelReader<DtmfDigit> Digits => _digits.Reader;

    /// <summary>Where packets are sent now: the latched source or the SDP address.</summary>
    public IPEndPoint? RemoteEndPoint
    {
        get
        {
            lock (_gate)
            {
                var address = _latched ?? _remoteRtp;
                return address is null ? null : (IPEndPoint)new IPEndPoint(IPAddress.Any, 0).Create(address);
            }
        }
    }

    /// <summary>Set when the session failed (an unexpected error in its tick); it no longer sends.</summary>
    public Exception? Failure { get; private set; }

    internal PacingLoop? Loop { get; set; }

    /// <summary>Applies an offer/answer outcome: the first one starts media, later ones (re-INVITE) change it.</summary>
    public void Apply(NegotiatedMedia media)
    {
        lock (_gate)
        {
            var previous = _media;
            _media = media;
            _remoteRtp = media.RemoteRtp?.Serialize();
            _remoteRtcp = media.RemoteRtcp?.Serialize();
            if (previous is null || !ReferenceEquals(previous.SendKey, media.SendKey))
            {
                _sendSrtp?.Dispose();
                _sendSrtp = media.SendKey is null ? null : new SrtpContext(media.SendKey);
            }
            if (previous is null || !ReferenceEquals(previous.ReceiveKey, media.ReceiveKey))
            {
                _receiveSrtp?.Dispose();
                _receiveSrtp = media.ReceiveKey is null ? null : new SrtpContext(media.ReceiveKey);
            }
            if (previous is not null && !Equals(previous.RemoteRtp, media.RemoteRtp))
            {
                // A new address from the peer: latch afresh.
                _latched = null;
            }
            if (previous is not null && previous.SendPtimeMilliseconds != media.SendPtimeMilliseconds)
            {
                _pendingSamples = 0;
            }
        }
    }

    /// <summary>Queues audio to play after what is already queued.</summary>
    public Task<bool> PlayAsync(IAudioSource source, CancellationToken cancellationToken = default)
    {
        var playback = new Playback(source);
        lock (_gate)
        {
            _playbacks.Enqueue(playback);
        }
        if (cancellationToken.CanBeCanceled)
        {
            cancellationToken.Register(() => playback.Done.TrySetResult(false));
        }
        return playback.Done.Task;
    }

    /// <summary>Stops what plays and drops what is queued; their tasks complete with false.</summary>
    public void StopPlayback()
    {
        lock (_gate)
        {
            while (_playbacks.TryDequeue(out var playback))
            {
                playback.Done.TrySetResult(false);
            }
        }
    }

    /// <summary>
    /// Sends digits: as RFC 4733 events when the peer takes telephone-event, else as in-band tones.
    /// Completes when the last one has gone.
    /// </summary>
    public Task SendDigitsAsync(string digits, CancellationToken cancellationToken = default)
    {
        if (digits.Any(d => !DtmfDigit.IsKey(d)))
        {
            throw new ArgumentException("Digits are 0-9, *, #, A-D.", nameof(digits));
        }
        lock (_gate)
        {
            if (_media?.TelephoneEventPayloadType is null)
            {
                return PlayAsync(new DtmfToneSource(digits.ToUpperInvariant()), cancellationToken);
            }
            var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            foreach (var digit in digits)
            {
                _eventSender.Enqueue(char.ToUpperInvariant(digit));
            }
            _digitWaiters.Add((_eventSender.Pending, done));
            return done.Task.WaitAsync(cancellationToken);
        }
    }

    private readonly List<(int Remaining, TaskCompletionSource Done)> _digitWaiters = [];

    /// <summary>A digit the SIP layer received in an INFO request; false when the body holds none.</summary>
    public bool ReceiveSipInfo(string contentType, ReadOnlySpan<byte> body)
    {
        if (!SipInfoDtmf.TryParse(contentType, body, out var digit))
        {
            return false;
        }
        lock (_gate)
        {
            Report(new DtmfDigit(digit, DtmfSource.SipInfo));
        }
        return true;
    }

    /// <summary>Starts recording this leg into <paramref name="sink"/>; one recording at a time.</summary>
    public CallRecording StartRecording(RecordingOptions options, IRecordingSink sink)
    {
        lock (_gate)
        {
            if (_recording is { IsRecording: true })
            {
                throw new InvalidOperationException("This leg is already recording.");
            }
            _recording = new CallRecording(options, sink);
            return _recording;
        }
    }

    public MediaQuality Quality
    {
        get
        {
            lock (_gate)
            {
                return new MediaQuality
                {
                    PacketsSent = _packetsSent,
                    PacketsReceived = _statistics.Received,
                    PacketsLost = _statistics.Lost,
                    JitterMilliseconds = _statistics.Jitter / 8.0,
                    LatePackets = _jitter.Late,
                    ConcealedMilliseconds = _jitter.ConcealedSlots * 10,
                    Underruns = _jitter.Underruns,
                    DiscardedMilliseconds = _jitter.Skipped * 10,
                    PlayoutDelayMilliseconds = _jitter.TargetSamples / 8,
                    BufferedMilliseconds = _jitter.DepthSamples / 8,
                    DroppedPackets = _dropped,
                    AuthenticationFailures = _authenticationFailures,
                    RemoteFractionLost = _remoteReport?.FractionLost / 256.0,
                    RemoteCumulativeLost = _remoteReport?.CumulativeLost,
                    RemoteJitterMilliseconds = _remoteReport?.Jitter / 8.0,
                    RoundTripMilliseconds = _roundTrip,
                };
            }
        }
    }

    internal void BridgeTo(MediaSession? peer)
    {
        lock (_gate)
        {
            _bridgePeer = peer;
        }
    }

    /// <summary>The frame this leg heard in its last tick, for its bridge peer (silence once it stops hearing).</summary>
    private void CopyHeardFrame(Span<short> into)
    {
        lock (_gate)
        {
            if (_bridgeFrameTick >= _tickCount - 1)
            {
                _bridgeFrame.CopyTo(into);
            }
            else
            {
                into.Clear();
            }
        }
    }

    /// <summary>
    /// The first half of a tick, run for every session of the loop before any second half, so a
    /// send's lateness is the sends before it and not all the loop's work: this 10 ms of what the
    /// leg says (its bridge peer's last frame, else what plays, else silence), sent once a
    /// ptime's worth is ready, and RTCP when due.
    /// </summary>
    internal void SendTick(long due, PacingLoop loop)
    {
        MediaSession? peer;
        lock (_gate)
        {
            if (_closed || _media is null || Failure is not null)
            {
                return;
            }
            peer = _bridgePeer;
        }
        peer?.CopyHeardFrame(_outbound);
        lock (_gate)
        {
            if (_closed || _media is not { } media || Failure is not null)
            {
                return;
            }
            if (peer is null)
            {
                FillFromPlayback(_outbound);
            }
            var ptimeSamples = media.SendPtimeMilliseconds * 8;
            _outbound.CopyTo(_pending, _pendingSamples);
            _pendingSamples += Frame;
            if (_pendingSamples >= ptimeSamples)
            {
                _pendingSamples = 0;
                SendFrame(media, ptimeSamples, due, loop);
            }
            if (_remoteRtcp is not null && loop.Now >= _nextRtcp)
            {
                SendRtcp(goodbye: false);
                var interval = _options.RtcpInterval.TotalSeconds * (0.5 + Random.Shared.NextDouble());
                _nextRtcp = loop.Now + (long)(interval * _time.TimestampFrequency);
            }
        }
    }

    /// <summary>
    /// The second half of a tick: the packets that arrived, 10 ms played out of the jitter
    /// buffer, in-band digits, and both directions of these 10 ms appended to the recording.
    /// </summary>
    internal void HearTick(PacingLoop loop)
    {
        lock (_gate)
        {
            if (_closed)
            {
                return;
            }
            var tick = ++_tickCount;
            ReceiveRtp(loop);
            if (_media is not { } media || Failure is not null)
            {
                return;
            }
            _jitter.Pull(_inbound);
            if (!_sawTelephoneEvent && media.Direction.Receives())
            {
                if (_inBand.Feed(_inbound) is { } tone)
                {
                    Report(new DtmfDigit(tone, DtmfSource.InBand));
                }
            }
            _inbound.CopyTo(_bridgeFrame, 0);
            _bridgeFrameTick = tick;
            if (_recording is { } recording && !recording.Append(_inbound, _outbound))
            {
                _recording = null;
            }
        }
    }

    private void FillFromPlayback(Span<short> frame)
    {
        var written = 0;
        while (written < frame.Length && _playbacks.TryPeek(out var playback))
        {
            if (playback.Done.Task.IsCompleted)
            {
                _playbacks.Dequeue();
                continue;
            }
            var read = playback.Source.Read(frame[written..]);
            written += read;
            if (written < frame.Length)
            {
                _playbacks.Dequeue();
                playback.Done.TrySetResult(true);
            }
        }
        frame[written..].Clear();
    }

    private void SendFrame(NegotiatedMedia media, int samples, long due, PacingLoop loop)
    {
        var frameTimestamp = _timestamp;
        _timestamp += (uint)samples;
        var destination = _latched ?? _remoteRtp;
        if (!media.Direction.Sends() || destination is null)
        {
            return;
        }
        var packet = _sendBuffer.AsSpan();
        int length;
        if (media.TelephoneEventPayloadType is { } te
            && _eventSender.Next(frameTimestamp, samples, packet[RtpHeader.FixedLength..], out var marker, out var eventTimestamp, out var completed))
        {
            RtpHeader.Write(packet, marker, (byte)te, _sequence++, eventTimestamp, _ssrc);
            length = RtpHeader.FixedLength + 4;
            if (completed)
            {
                CompleteDigitWaiters();
            }
        }
        else
        {
            RtpHeader.Write(packet, false, (byte)media.PayloadType, _sequence++, frameTimestamp, _ssrc);
            G711.Encode(media.Encoding, _pending.AsSpan(0, samples), packet[RtpHeader.FixedLength..]);
            length = RtpHeader.FixedLength + samples;
        }
        if (_sendSrtp is not null)
        {
            length = _sendSrtp.ProtectRtp(packet, length);
        }
        try
        {
            _ports.Rtp.SendTo(packet[..length], SocketFlags.None, destination);
            _packetsSent++;
            _octetsSent += length - RtpHeader.FixedLength;
            loop.RecordSend(due);
        }
        catch (SocketException)
        {
            _dropped++;
        }
        catch (ObjectDisposedException)
        {
        }
    }

    private void CompleteDigitWaiters()
    {
        for (var i = _digitWaiters.Count - 1; i >= 0; i--)
        {
            var (remaining, done) = _digitWaiters[i];
            if (remaining <= 1)
            {
                done.TrySetResult();
                _digitWaiters.RemoveAt(i);
            }
            else
            {
                _digitWaiters[i] = (remaining - 1, done);
            }
        }
    }

    private void SendRtcp(bool goodbye)
    {
        var now = _time.GetUtcNow();
        RtcpSenderInfo? info = _packetsSent > 0
            ? new RtcpSenderInfo(Ntp(now), _timestamp, (uint)_packetsSent, (uint)_octetsSent)
            : null;
        RtcpReportBlock? block = null;
        if (_remoteSsrc is not null && _statistics.Received > 0)
        {
            var delay = _lastSenderReportAt == 0 ? 0 : (uint)(_time.GetElapsedTime(_lastSenderReportAt).TotalSeconds * 65536);
            block = _statistics.Report(_lastSenderReport, delay);
        }
        var buffer = _rtcpBuffer.AsSpan();
        var length = RtcpPacket.Write(buffer, _ssrc, info, block, _cname, goodbye);
        if (_sendSrtp is not null)
        {
            length = _sendSrtp.ProtectRtcp(buffer, length);
        }
        try
        {
            _ports.Rtcp.SendTo(buffer[..length], SocketFlags.None, _remoteRtcp!);
        }
        catch (Exception error) when (error is SocketException or ObjectDisposedException)
        {
        }
    }

    private static ulong Ntp(DateTimeOffset time)
    {
        var seconds = (ulong)(time.ToUnixTimeMilliseconds() / 1000) + 2208988800UL;
        var fraction = (ulong)(time.ToUnixTimeMilliseconds() % 1000 * 4294967296.0 / 1000);
        return (seconds << 32) | fraction;
    }

    private const int MaxBatchesPerTick = 4;

    /// <summary>Takes what arrived since the last tick; a flood beyond a few batches a tick waits in (and overflows) the socket's buffer.</summary>
    private void ReceiveRtp(PacingLoop loop)
    {
        var receiver = loop.Receiver;
        for (var batch = 0; batch < MaxBatchesPerTick; batch++)
        {
            var count = receiver.Receive(_ports.Rtp);
            for (var i = 0; i < count; i++)
            {
                try
                {
                    OnRtp(receiver.Packet(i), receiver.Source(i), receiver.ArrivalNanoseconds(i), loop.Now);
                }
                catch (Exception error) when (error is not OutOfMemoryException)
                {
                    _dropped++;
                }
            }
            if (count < RtpBatchReceiver.Batch)
            {
                return;
            }
        }
    }

    private async Task ReceiveRtcpAsync(Socket socket)
    {
        var buffer = GC.AllocateUninitializedArray<byte>(MaxPacket, pinned: true);
        var source = new SocketAddress(socket.AddressFamily);
        while (!_stop.IsCancellationRequested)
        {
            int length;
            try
            {
                length = await socket.ReceiveFromAsync(buffer, SocketFlags.None, source, _stop.Token);
            }
            catch (SocketException)
            {
                // ICMP port unreachable from an earlier send shows up here on Linux; keep reading.
                continue;
            }
            catch (Exception error) when (error is OperationCanceledException or ObjectDisposedException)
            {
                return;
            }
            try
            {
                OnRtcp(buffer.AsSpan(0, length));
            }
            catch (Exception error) when (error is not OutOfMemoryException)
            {
                Interlocked.Increment(ref _dropped);
            }
        }
    }

    /// <summary>One RTP packet, on the pacing loop under the session's lock.</summary>
    private void OnRtp(Span<byte> packet, SocketAddress source, long arrivalNanoseconds, long now)
    {
        var media = _media;
        if (media is null)
        {
            _dropped++;
            return;
        }
        var length = packet.Length;
        if (_receiveSrtp is not null)
        {
            if (!_receiveSrtp.TryUnprotectRtp(packet, length, out length))
            {
                _authenticationFailures++;
                return;
            }
        }
        if (!RtpHeader.TryParse(packet[..length], out var header)
            || (header.PayloadType != media.PayloadType && header.PayloadType != media.TelephoneEventPayloadType))
        {
            _dropped++;
            return;
        }
        if (!AcceptSource(source, header.Ssrc, now))
        {
            _dropped++;
            return;
        }
        if (_remoteSsrc != header.Ssrc)
        {
            _remoteSsrc = header.Ssrc;
            _jitter.Reset();
        }
        _firstArrivalNanoseconds ??= arrivalNanoseconds;
        var arrivalUnits = (arrivalNanoseconds - _firstArrivalNanoseconds.Value) * AudioEncodings.ClockRate / 1_000_000_000;
        _statistics.Update(header.Ssrc, header.SequenceNumber, header.Timestamp, arrivalUnits);
        var payload = header.PayloadOf(packet[..length]);
        if (header.PayloadType == media.TelephoneEventPayloadType)
        {
            _sawTelephoneEvent = true;
            if (_events.Receive(header.Ssrc, header.Timestamp, payload) is { } digit)
            {
                Report(new DtmfDigit(digit, DtmfSource.Rfc4733));
            }
            return;
        }
        if (!media.Direction.Receives() || payload.Length > _decoded.Length)
        {
            return;
        }
        var samples = _decoded.AsSpan(0, payload.Length);
        G711.Decode(media.Encoding, payload, samples);
        _jitter.Push(header.Timestamp, samples);
    }

    // Symmetric RTP: latch onto the first valid source, then hold it against strangers.
    private bool AcceptSource(SocketAddress source, uint ssrc, long arrival)
    {
        if (!_options.SymmetricRtp)
        {
            return true;
        }
        if (_latched is null)
        {
            _latched = Copy(source);
            _latchedAt = arrival;
            return true;
        }
        if (_latched.Equals(source))
        {
            _latchedAt = arrival;
            return true;
        }
        var silent = _time.GetElapsedTime(_latchedAt, arrival) >= _options.RelatchAfter;
        if (ssrc == _remoteSsrc && (_receiveSrtp is not null || silent))
        {
            _latched = Copy(source);
            _latchedAt = arrival;
            return true;
        }
        return false;
    }

    private static SocketAddress Copy(SocketAddress address)
    {
        var copy = new SocketAddress(address.Family, address.Size);
        address.Buffer.Span.CopyTo(copy.Buffer.Span);
        return copy;
    }

    private void OnRtcp(Span<byte> packet)
    {
        lock (_gate)
        {
            var length = packet.Length;
            if (_receiveSrtp is not null && !_receiveSrtp.TryUnprotectRtcp(packet, length, out length))
            {
                _authenticationFailures++;
                return;
            }
            var parsed = RtcpPacket.Parse(packet[..length]);
            if (parsed is null)
            {
                _dropped++;
                return;
            }
            if (parsed.SenderInfo is { } info)
            {
                _lastSenderReport = (uint)(info.NtpTimestamp >> 16);
                _lastSenderReportAt = _time.GetTimestamp();
            }
            foreach (var report in parsed.Reports.Where(r => r.Ssrc == _ssrc))
            {
                _remoteReport = report;
                if (report.LastSenderReport != 0)
                {
                    var now = (uint)(Ntp(_time.GetUtcNow()) >> 16);
                    // Both sides round to 1/65536 s, so a loopback round trip can come out a tick
                    // below zero; read as unsigned it would be 65,536 s (RFC 3550, 6.4.1).
                    var roundTrip = (int)(now - report.LastSenderReport - report.DelaySinceLastSenderReport);
                    _roundTrip = Math.Max(0, roundTrip) / 65.536;
                }
            }
        }
    }

    private void Report(DtmfDigit digit)
    {
        _digits.Writer.TryWrite(digit);
        _recording?.OnDigit(digit.Digit);
    }

    internal void Fail(Exception error)
    {
        lock (_gate)
        {
            Failure ??= error;
        }
    }

    /// <summary>Ends the leg: stops the loops, ends a recording (CallEnded), sends RTCP BYE, frees the ports.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }
        _engine.Detach(this);
        CallRecording? recording;
        lock (_gate)
        {
            // A tick already past the loop's list sees this before it touches the sockets.
            _closed = true;
            recording = _recording;
            _recording = null;
            if (_remoteRtcp is not null)
            {
                SendRtcp(goodbye: true);
            }
            while (_playbacks.TryDequeue(out var playback))
            {
                playback.Done.TrySetResult(false);
            }
            foreach (var (_, done) in _digitWaiters)
            {
                done.TrySetCanceled();
            }
            _digitWaiters.Clear();
        }
        recording?.End(RecordingEndReason.CallEnded);
        _digits.Writer.TryComplete();
        await _stop.CancelAsync();
        _ports.Dispose();
        lock (_gate)
        {
            _sendSrtp?.Dispose();
            _receiveSrtp?.Dispose();
        }
        if (recording is not null)
        {
            try
            {
                await recording.Completion;
            }
            catch (Exception)
            {
                // The sink's failure is the recording's to report; the leg still ends.
            }
        }
    }

    private sealed class Playback(IAudioSource source)
    {
        public IAudioSource Source { get; } = source;
        public TaskCompletionSource<bool> Done { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}
