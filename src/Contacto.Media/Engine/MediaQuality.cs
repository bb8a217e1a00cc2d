namespace Contacto.Media.Engine;

/// <summary>
/// A leg's media figures for its CDR: what it sent and received, RFC 3550 loss and jitter as this
/// side measured them, what the peer reported in its RTCP, and the playout buffer's corrections.
/// </summary>
public sealed record MediaQuality
{
    public long PacketsSent { get; init; }
    public long PacketsReceived { get; init; }
    public long PacketsLost { get; init; }
    public double JitterMilliseconds { get; init; }
    public long LatePackets { get; init; }
    public long ConcealedMilliseconds { get; init; }
    public long Underruns { get; init; }

    /// <summary>Audio the playout buffer dropped to bring its delay down after a burst.</summary>
    public long DiscardedMilliseconds { get; init; }
    public int PlayoutDelayMilliseconds { get; init; }

    /// <summary>Audio received and waiting in the playout buffer now.</summary>
    public int BufferedMilliseconds { get; init; }
    public long DroppedPackets { get; init; }
    public long AuthenticationFailures { get; init; }

    /// <summary>The peer's last receiver report about our stream, if any.</summary>
    public double? RemoteFractionLost { get; init; }
    public long? RemoteCumulativeLost { get; init; }
    public double? RemoteJitterMilliseconds { get; init; }
    public double? RoundTripMilliseconds { get; init; }
}
