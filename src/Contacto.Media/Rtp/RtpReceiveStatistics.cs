namespace Contacto.Media.Rtp;

/// <summary>
/// What RFC 3550 appendix A keeps per source: extended highest sequence number (with wrap
/// cycles), packets expected and received, interarrival jitter, and the figures of a report
/// block. Not thread-safe: one receive path updates it.
/// </summary>
internal sealed class RtpReceiveStatistics
{
    private const int MaxDropout = 3000;
    private const int MaxMisorder = 100;
    private const uint SequenceModulo = 1 << 16;

    private bool _started;
    private uint _cycles;
    private ushort _maxSequence;
    private uint _baseSequence;
    private uint _badSequence = SequenceModulo + 1;
    private long _received;
    private long _expectedPrior;
    private long _receivedPrior;
    private double _jitter;
    private long _lastTransit;
    private bool _haveTransit;

    public uint Ssrc { get; private set; }
    public long Received => _received;
    public long Duplicates { get; private set; }

    /// <summary>Interarrival jitter in timestamp units (RFC 3550 A.8).</summary>
    public double Jitter => _jitter;

    public uint ExtendedHighestSequence => _cycles + _maxSequence;

    public long Expected => _started ? (long)ExtendedHighestSequence - _baseSequence + 1 : 0;

    public long Lost => Math.Max(0, Expected - _received);

    /// <summary>Counts a packet; <paramref name="arrival"/> is the arrival time in timestamp units.</summary>
    public void Update(uint ssrc, ushort sequence, uint timestamp, long arrival)
    {
        if (!_started || ssrc != Ssrc)
        {
            Restart(ssrc, sequence);
        }
        else
        {
            var delta = (ushort)(sequence - _maxSequence);
            if (delta == 0)
            {
                Duplicates++;
                return;
            }
            if (delta < MaxDropout)
            {
                if (sequence < _maxSequence)
                {
                    _cycles += SequenceModulo;
                }
                _maxSequence = sequence;
            }
            else if (delta <= SequenceModulo - MaxMisorder)
            {
                // A large jump: the source restarted. Believe it when the next packet follows it.
                if (sequence == _badSequence)
                {
                    Restart(ssrc, sequence);
                }
                else
                {
                    _badSequence = (uint)((sequence + 1) & (SequenceModulo - 1));
                    return;
                }
            }
            // else: a duplicate or reordered packet, counted as received.
        }
        _received++;

        var transit = arrival - timestamp;
        if (_haveTransit)
        {
            var d = Math.Abs(transit - _lastTransit);
            _jitter += (d - _jitter) / 16.0;
        }
        _lastTransit = transit;
        _haveTransit = true;
    }

    /// <summary>A report block about this source; moves the "since last report" point.</summary>
    public RtcpReportBlock Report(uint lastSenderReport, uint delaySinceLastSenderReport)
    {
        var expected = Expected;
        var expectedInterval = expected - _expectedPrior;
        var receivedInterval = _received - _receivedPrior;
        _expectedPrior = expected;
        _receivedPrior = _received;
        var lostInterval = expectedInterval - receivedInterval;
        var fraction = expectedInterval == 0 || lostInterval <= 0 ? (byte)0 : (byte)Math.Min(255, (lostInterval << 8) / expectedInterval);
        return new RtcpReportBlock(Ssrc, fraction, (int)Math.Min(Lost, 0x7FFFFF), ExtendedHighestSequence, (uint)_jitter,
            lastSenderReport, delaySinceLastSenderReport);
    }

    private void Restart(uint ssrc, ushort sequence)
    {
        Ssrc = ssrc;
        _started = true;
        _maxSequence = sequence;
        _baseSequence = sequence;
        _cycles = 0;
        _badSequence = SequenceModulo + 1;
        _received = 0;
        _expectedPrior = 0;
        _receivedPrior = 0;
        _haveTransit = false;
    }
}
