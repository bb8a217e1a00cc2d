using System.Diagnostics;
using Contacto.Media.Rtp;

namespace Contacto.Media.Engine;

/// <summary>
/// One thread that drives the 10 ms frames of all its sessions from absolute deadlines (no timer
/// per call, no drift): each tick every session first sends what is due, then takes what arrived,
/// plays it out and records.
/// A tick more than a frame late is caught up at once, up to 100 ms; beyond that the loop jumps
/// ahead and counts the skipped ticks. Send lateness goes into a histogram.
/// </summary>
internal sealed class PacingLoop : IDisposable
{
    public const int TickMilliseconds = 10;
    private const int MaxCatchUpTicks = 10;
    private readonly TimeProvider _time;
    private readonly Thread _thread;
    private readonly Lock _gate = new();
    private readonly PacingPriority _priority;
    private readonly ManualResetEventSlim _scheduled = new();
    private MediaSession[] _sessions = [];
    private volatile bool _stopping;

    public PacingLoop(int index, TimeProvider time, PacingPriority priority)
    {
        _time = time;
        _priority = priority;
        Receiver = new RtpBatchReceiver(time);
        _thread = new Thread(Run) { IsBackground = true, Name = $"media-pacing-{index}" };
        _thread.Start();
        _scheduled.Wait();
    }

    public int Count => _sessions.Length;

    /// <summary>Takes each session's RTP packets at its tick; used by this loop's thread only.</summary>
    public RtpBatchReceiver Receiver { get; }

    public LatenessHistogram Lateness { get; } = new();

    public long SkippedTicks { get; private set; }

    public void Add(MediaSession session)
    {
        lock (_gate)
        {
            _sessions = [.. _sessions, session];
        }
    }

    public void Remove(MediaSession session)
    {
        lock (_gate)
        {
            _sessions = _sessions.Where(s => s != session).ToArray();
        }
    }

    public void Dispose()
    {
        _stopping = true;
        _thread.Join();
        Receiver.Dispose();
        _scheduled.Dispose();
    }

    /// <summary>The scheduling the loop's thread got.</summary>
    public PacingPriority Priority { get; private set; }

    private void Run()
    {
        Priority = ThreadScheduling.TryApply(_priority);
        _scheduled.Set();
        var tick = TimeSpan.FromMilliseconds(TickMilliseconds);
        var start = _time.GetTimestamp();
        long index = 0;
        while (!_stopping)
        {
            var due = start + (long)(index * tick.TotalSeconds * _time.TimestampFrequency);
            var remaining = _time.GetElapsedTime(_time.GetTimestamp(), due);
            if (remaining.TotalMilliseconds >= 1)
            {
                Thread.Sleep((int)remaining.TotalMilliseconds);
                continue;
            }
            var behind = -remaining.TotalMilliseconds / TickMilliseconds;
            if (behind > MaxCatchUpTicks)
            {
                var skip = (long)behind;
                index += skip;
                SkippedTicks += skip;
                continue;
            }
            var sessions = _sessions;
            foreach (var session in sessions)
            {
                try
                {
                    session.SendTick(due, this);
                }
                catch (Exception error) when (error is not OutOfMemoryException)
                {
                    session.Fail(error);
                }
            }
            foreach (var session in sessions)
            {
                try
                {
                    session.HearTick(this);
                }
                catch (Exception error) when (error is not OutOfMemoryException)
                {
                    session.Fail(error);
                }
            }
            index++;
        }
    }

    internal void RecordSend(long due)
    {
        var late = _time.GetElapsedTime(due, _time.GetTimestamp());
        Lateness.Record(late);
    }

    internal long Now => _time.GetTimestamp();
}

/// <summary>Send lateness in 0.1 ms buckets up to 100 ms. Written by one loop, read by anyone.</summary>
public sealed class LatenessHistogram
{
    private const int Buckets = 1001;
    private readonly long[] _counts = new long[Buckets];

    public void Record(TimeSpan late)
    {
        var bucket = (int)Math.Clamp(late.TotalMilliseconds * 10, 0, Buckets - 1);
        Interlocked.Increment(ref _counts[bucket]);
    }

    public long Count => _counts.Sum();

    public void Reset() => Array.Clear(_counts);

    /// <summary>Adds another histogram's counts into this one (for a total over loops).</summary>
    public void Add(LatenessHistogram other)
    {
        for (var i = 0; i < Buckets; i++)
        {
            _counts[i] += Interlocked.Read(ref other._counts[i]);
        }
    }

    /// <summary>The lateness below which <paramref name="fraction"/> of sends fell.</summary>
    public TimeSpan Percentile(double fraction)
    {
        var total = Count;
        if (total == 0)
        {
            return TimeSpan.Zero;
        }
        var target = (long)Math.Ceiling(total * fraction);
        long seen = 0;
        for (var i = 0; i < Buckets; i++)
        {
            seen += _counts[i];
            if (seen >= target)
            {
                return TimeSpan.FromMilliseconds((i + 1) / 10.0);
            }
        }
        return TimeSpan.FromMilliseconds(100);
    }

    /// <summary>The share of sends no later than <paramref name="limit"/>.</summary>
    public double ShareWithin(TimeSpan limit)
    {
        var total = Count;
        if (total == 0)
        {
            return 1;
        }
        var last = (int)Math.Clamp(limit.TotalMilliseconds * 10, 0, Buckets - 1);
        long within = 0;
        for (var i = 0; i < last; i++)
        {
            within += _counts[i];
        }
        return (double)within / total;
    }
}
