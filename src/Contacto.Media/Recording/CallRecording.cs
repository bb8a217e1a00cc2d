using System.Buffers;
using System.Buffers.Binary;
using System.Runtime.InteropServices;
using System.Threading.Channels;

namespace Contacto.Media.Recording;

/// <summary>
/// A recording in progress. The pacing loop appends each 10 ms frame (<see cref="Append"/>, no
/// blocking, no I/O); full chunks go through a bounded queue to the sink on the thread pool.
/// Duration, silence and finish-key limits are checked as frames and digits come.
/// </summary>
public sealed class CallRecording
{
    private const int SampleRate = 8000;

    // Chunk buffers are filled on a pacing loop and handed back from the sink's thread. The
    // shared pool's per-thread and per-core caches missed about two rents in five in that
    // pattern (600 recorded calls allocated 8 MB/s, and each collection paused the loops); this
    // pool keeps as many as were ever out at once, up to 16,384 of a size: a recording holds two
    // or three while its sink keeps up, so 1,024 would serve only some 400 recorded calls.
    private const int MaxChunkBytes = 4 * 1024 * 1024;
    private static readonly ArrayPool<byte> Chunks = ArrayPool<byte>.Create(MaxChunkBytes, 16 * 1024);
    private readonly RecordingOptions _options;
    private readonly IRecordingSink _sink;
    private readonly Channel<RecordingChunk> _queue;
    private readonly TaskCompletionSource<RecordingSummary> _completion = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly RecordingFormat _format;
    private readonly Lock _gate = new();
    private readonly long _maxFrames;
    private readonly long _silenceFrames;
    private byte[] _chunk;
    private int _filled;
    private int _index;
    private long _frames;
    private long _chunkFirstFrame;
    private long _quietFrames;
    private volatile bool _sinkFailed;
    private RecordingEndReason? _ended;
    private char? _finishKey;

    internal CallRecording(RecordingOptions options, IRecordingSink sink)
    {
        if (options.ChunkBytes is < 320 or > MaxChunkBytes || options.ChunkBytes % 4 != 0)
        {
            throw new ArgumentException("ChunkBytes must be a multiple of 4 from 320 to 4 MiB.", nameof(options));
        }
        _options = options;
        _sink = sink;
        _format = new RecordingFormat(SampleRate, options.Channels);
        _maxFrames = options.MaxDuration is { } max ? (long)(max.TotalSeconds * SampleRate) : long.MaxValue;
        _silenceFrames = options.SilenceTimeout is { } quiet ? (long)(quiet.TotalSeconds * SampleRate) : long.MaxValue;
        _chunk = Chunks.Rent(options.ChunkBytes);
        _queue = Channel.CreateBounded<RecordingChunk>(new BoundedChannelOptions(options.MaxPendingChunks) { SingleReader = true, SingleWriter = true });
        _ = Task.Run(PumpAsync);
    }

    /// <summary>Completes once the sink has every chunk and the summary.</summary>
    public Task<RecordingSummary> Completion => _completion.Task;

    public bool IsRecording => _ended is null;

    /// <summary>Frames (samples per channel) recorded so far.</summary>
    public long Frames => Interlocked.Read(ref _frames);

    /// <summary>Appends one frame of each direction; returns false once the recording has ended.</summary>
    internal bool Append(ReadOnlySpan<short> inbound, ReadOnlySpan<short> outbound)
    {
        lock (_gate)
        {
            return AppendLocked(inbound, outbound);
        }
    }

    private bool AppendLocked(ReadOnlySpan<short> inbound, ReadOnlySpan<short> outbound)
    {
        if (_ended is not null)
        {
            return false;
        }
        if (_sinkFailed)
        {
            End(RecordingEndReason.SinkFailed);
            return false;
        }
        var frames = Math.Min(inbound.Length, (int)Math.Min(outbound.Length, _maxFrames - _frames));
        for (var done = 0; done < frames;)
        {
            // A chunk holds whole frames (its size is a multiple of 4), so fill up to its end.
            var take = Math.Min(frames - done, (_options.ChunkBytes - _filled) / _format.BytesPerFrame);
            var bytes = take * _format.BytesPerFrame;
            WriteFrames(inbound.Slice(done, take), outbound.Slice(done, take), MemoryMarshal.Cast<byte, short>(_chunk.AsSpan(_filled, bytes)));
            _filled += bytes;
            done += take;
            if (_filled == _options.ChunkBytes)
            {
                Flush(isLast: false);
                if (_ended is not null)
                {
                    // The sink fell too far behind to take the chunk: the recording ends here.
                    Interlocked.Add(ref _frames, done);
                    return false;
                }
            }
        }
        Interlocked.Add(ref _frames, frames);
        if (_frames >= _maxFrames)
        {
            End(RecordingEndReason.MaxDuration);
            return false;
        }
        if (_options.SilenceTimeout is not null)
        {
            double sum = 0;
            foreach (var sample in inbound)
            {
                sum += (double)sample * sample;
            }
            var quiet = Math.Sqrt(sum / Math.Max(1, inbound.Length)) < _options.SilenceThreshold;
            _quietFrames = quiet ? _quietFrames + inbound.Length : 0;
            if (_quietFrames >= _silenceFrames)
            {
                End(RecordingEndReason.Silence);
                return false;
            }
        }
        return _ended is null;
    }

    /// <summary>A digit from the leg; ends the recording when it is a finish key.</summary>
    internal void OnDigit(char digit)
    {
        lock (_gate)
        {
            if (_ended is null && _options.FinishOnKeys.Contains(digit))
            {
                _finishKey = digit;
                End(RecordingEndReason.FinishKey);
            }
        }
    }

    /// <summary>Stops the recording; the rest goes to the sink and then <see cref="Completion"/> completes.</summary>
    public void Stop() => End(RecordingEndReason.Stopped);

    internal void End(RecordingEndReason reason)
    {
        lock (_gate)
        {
            if (_ended is not null)
            {
                return;
            }
            _ended = reason;
            Flush(isLast: true);
            _queue.Writer.TryComplete();
        }
    }

    /// <summary>Frames as 16-bit little-endian PCM: stereo interleaved (inbound left), or one direction, or both mixed.</summary>
    private void WriteFrames(ReadOnlySpan<short> inbound, ReadOnlySpan<short> outbound, Span<short> into)
    {
        if (_options.Channels == 2)
        {
            for (var i = 0; i < inbound.Length; i++)
            {
                into[2 * i] = inbound[i];
                into[2 * i + 1] = outbound[i];
            }
        }
        else if (_options.Audio == RecordedAudio.Inbound)
        {
            inbound.CopyTo(into);
        }
        else if (_options.Audio == RecordedAudio.Outbound)
        {
            outbound.CopyTo(into);
        }
        else
        {
            for (var i = 0; i < inbound.Length; i++)
            {
                into[i] = (short)Math.Clamp(inbound[i] + outbound[i], short.MinValue, short.MaxValue);
            }
        }
        if (!BitConverter.IsLittleEndian)
        {
            BinaryPrimitives.ReverseEndianness(into, into);
        }
    }

    private void Flush(bool isLast)
    {
        if (_filled == 0)
        {
            // Nothing since the last full chunk: the sink's CompleteAsync marks the end.
            if (isLast)
            {
                Chunks.Return(_chunk);
                _chunk = [];
            }
            return;
        }
        var chunk = new RecordingChunk(_index, _chunkFirstFrame, _format, _chunk.AsMemory(0, _filled), isLast);
        if (!_queue.Writer.TryWrite(chunk))
        {
            Chunks.Return(_chunk);
            _sinkFailed = true;
            _ended ??= RecordingEndReason.SinkFailed;
            _queue.Writer.TryComplete();
            _chunk = [];
            return;
        }
        _index++;
        _chunkFirstFrame += _filled / _format.BytesPerFrame;
        _chunk = isLast ? [] : Chunks.Rent(_options.ChunkBytes);
        _filled = 0;
    }

    private async Task PumpAsync()
    {
        var chunks = 0;
        long frames = 0;
        await foreach (var chunk in _queue.Reader.ReadAllAsync())
        {
            try
            {
                if (!_sinkFailed)
                {
                    await _sink.WriteChunkAsync(chunk, CancellationToken.None);
                    chunks++;
                    frames += chunk.Frames;
                }
            }
            catch (Exception)
            {
                _sinkFailed = true;
            }
            finally
            {
                if (MemoryMarshal.TryGetArray(chunk.Pcm, out var segment) && segment.Array is { Length: > 0 } array)
                {
                    Chunks.Return(array);
                }
            }
        }
        var reason = _sinkFailed ? RecordingEndReason.SinkFailed : _ended ?? RecordingEndReason.Stopped;
        var summary = new RecordingSummary(_format, frames, chunks, reason, _finishKey);
        try
        {
            await _sink.CompleteAsync(summary, CancellationToken.None);
            _completion.TrySetResult(summary);
        }
        catch (Exception error)
        {
            _completion.TrySetException(error);
        }
    }
}
