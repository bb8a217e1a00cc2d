using Contacto.Media.Rtp;
using Microsoft.Extensions.Logging;

namespace Contacto.Media.Engine;

/// <summary>
/// The process's media: the RTP port pool and one pacing loop per core. A call engine creates a
/// <see cref="MediaSession"/> per leg (<see cref="CreateSession"/>), offers or answers with its
/// port, applies the negotiated media, and disposes the session when the call ends.
/// </summary>
public sealed class MediaEngine : IAsyncDisposable
{
    private readonly MediaEngineOptions _options;
    private readonly TimeProvider _time;
    private readonly PacingLoop[] _loops;
    private readonly Lock _gate = new();
    private int _sessions;

    public MediaEngine(MediaEngineOptions options, TimeProvider? time = null, ILogger? logger = null)
    {
        _options = options;
        _time = time ?? TimeProvider.System;
        Ports = new RtpPortPool(options.BindAddress, options.MinPort, options.MaxPort, options.EphemeralOverlap, logger, options.ProcRoot);
        _loops = Enumerable.Range(0, Math.Max(1, options.PacingLoops)).Select(i => new PacingLoop(i, _time, options.PacingPriority)).ToArray();
    }

    public RtpPortPool Ports { get; }

    public int ActiveSessions => Volatile.Read(ref _sessions);

    /// <summary>Rents a port pair and starts a leg on the least busy pacing loop.</summary>
    public MediaSession CreateSession()
    {
        var lease = Ports.Rent();
        var session = new MediaSession(this, lease, _options, _time);
        lock (_gate)
        {
            var loop = _loops.MinBy(l => l.Count)!;
            session.Loop = loop;
            loop.Add(session);
        }
        Interlocked.Increment(ref _sessions);
        return session;
    }

    /// <summary>Send lateness over all loops (time from a frame's due time to its packet leaving).</summary>
    public LatenessHistogram SendLateness()
    {
        var total = new LatenessHistogram();
        foreach (var loop in _loops)
        {
            total.Add(loop.Lateness);
        }
        return total;
    }

    public void ResetSendLateness()
    {
        foreach (var loop in _loops)
        {
            loop.Lateness.Reset();
        }
    }

    public long SkippedTicks => _loops.Sum(l => l.SkippedTicks);

    /// <summary>The scheduling each pacing loop's thread got (<see cref="MediaEngineOptions.PacingPriority"/>).</summary>
    public IReadOnlyList<PacingPriority> PacingLoopPriorities => _loops.Select(l => l.Priority).ToArray();

    /// <summary>Moves <paramref name="b"/> onto <paramref name="a"/>'s loop so a bridge's frames pass in step.</summary>
    internal void Colocate(MediaSession a, MediaSession b)
    {
        lock (_gate)
        {
            if (a.Loop is { } target && b.Loop != target)
            {
                b.Loop?.Remove(b);
                target.Add(b);
                b.Loop = target;
            }
        }
    }

    internal void Detach(MediaSession session)
    {
        lock (_gate)
        {
            session.Loop?.Remove(session);
            session.Loop = null;
        }
        Interlocked.Decrement(ref _sessions);
    }

    public ValueTask DisposeAsync()
    {
        foreach (var loop in _loops)
        {
            loop.Dispose();
        }
        return ValueTask.CompletedTask;
    }
}
