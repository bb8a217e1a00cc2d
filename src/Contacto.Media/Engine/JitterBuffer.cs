namespace Contacto.Media.Engine;

/// <summary>
/// An adaptive playout buffer for 8 kHz audio in 10 ms slots. Packets of 10, 20 or 30 ms (any
/// multiple of a sample, in fact) are written where their RTP timestamp puts them, so reordered
/// packets play in order and duplicates overwrite themselves. Playout starts once the target
/// delay is buffered; a slot that never arrived plays as silence (concealed); a packet older
/// than the playout point is late and dropped. The target grows by 10 ms after each underrun (up
/// to the maximum) and, when the buffer has held more than the target plus 40 ms for half a
/// second, one slot is skipped to bring the delay back down.
/// </summary>
internal sealed class JitterBuffer
{
    public const int SlotSamples = 80;
    private const int Slots = 128;            // 1.28 s of audio
    private const int Samples = Slots * SlotSamples;
    private const int ShrinkAfterPulls = 50;

    private readonly short[] _ring = new short[Samples];
    private readonly bool[] _filled = new bool[Slots];
    private readonly int _minimumDelay;
    private readonly int _maximumDelay;
    private bool _haveReference;
    private uint _reference;
    private long _cursor;        // next sample to play, relative to _reference
    private long _highest;       // end of the latest sample written
    private bool _playing;
    private int _overTarget;

    public JitterBuffer(int minimumDelayMilliseconds = 40, int maximumDelayMilliseconds = 300)
    {
        _minimumDelay = minimumDelayMilliseconds * 8;
        _maximumDelay = Math.Min(maximumDelayMilliseconds * 8, Samples - 4 * SlotSamples);
        TargetSamples = _minimumDelay;
    }

    public int TargetSamples { get; private set; }
    public long Late { get; private set; }
    public long ConcealedSlots { get; private set; }
    public long Underruns { get; private set; }
    /// <summary>Slots dropped unplayed: trimmed to shrink the delay, or lost when the stream jumped.</summary>
    public long Skipped { get; private set; }
    public int DepthSamples => _playing || _haveReference ? (int)Math.Max(0, _highest - _cursor) : 0;

    /// <summary>Forgets everything (a new SSRC, or a stream that restarted far away).</summary>
    public void Reset()
    {
        _haveReference = false;
        _playing = false;
        Array.Clear(_filled);
    }

    /// <summary>
    /// Writes a packet's samples at its timestamp. <paramref name="minimumPacketSamples"/> (the
    /// packet size) keeps the target above one packet plus a slot.
    /// </summary>
    public void Push(uint timestamp, ReadOnlySpan<short> samples)
    {
        if (samples.IsEmpty || samples.Length > Samples / 2)
        {
            return;
        }
        if (!_haveReference)
        {
            _haveReference = true;
            _reference = timestamp;
            _cursor = 0;
            _highest = 0;
            TargetSamples = Math.Max(TargetSamples, samples.Length + SlotSamples);
        }
        long position = (int)(timestamp - _reference);
        if (position + samples.Length <= _cursor)
        {
            Late++;
            return;
        }
        if (position - _cursor > Samples - samples.Length - SlotSamples || position < _cursor - Samples / 2)
        {
            // Far ahead or far behind what is playing: the stream jumped (or playout stalled for
            // longer than the buffer holds). Start again from it; what was buffered is dropped.
            Skipped += Math.Max(0, _highest - _cursor) / SlotSamples;
            Reset();
            Push(timestamp, samples);
            return;
        }
        if (position < _cursor)
        {
            samples = samples[(int)(_cursor - position)..];
            position = _cursor;
        }
        for (var i = 0; i < samples.Length; i++)
        {
            _ring[(int)((position + i) % Samples)] = samples[i];
        }
        for (var slot = position / SlotSamples; slot * SlotSamples < position + samples.Length; slot++)
        {
            _filled[(int)(slot % Slots)] = true;
        }
        _highest = Math.Max(_highest, position + samples.Length);
    }

    /// <summary>Fills one 10 ms frame. Returns false when it played silence only (not started, or nothing there).</summary>
    public bool Pull(Span<short> frame)
    {
        if (!_haveReference)
        {
            frame.Clear();
            return false;
        }
        if (!_playing)
        {
            if (_highest - _cursor < TargetSamples)
            {
                frame.Clear();
                return false;
            }
            _playing = true;
            _overTarget = 0;
        }
        var slot = (int)(_cursor / SlotSamples % Slots);
        var had = _filled[slot];
        if (had)
        {
            _ring.AsSpan(slot * SlotSamples, SlotSamples).CopyTo(frame);
            _filled[slot] = false;
        }
        else
        {
            frame.Clear();
            ConcealedSlots++;
        }
        _cursor += SlotSamples;

        var depth = _highest - _cursor;
        if (depth <= 0 && !had)
        {
            // Nothing buffered at all: wait for the target again, a little deeper this time.
            _playing = false;
            _cursor = _highest;
            Underruns++;
            TargetSamples = Math.Min(_maximumDelay, TargetSamples + SlotSamples);
        }
        else if (depth > TargetSamples + 4 * SlotSamples)
        {
            if (++_overTarget >= ShrinkAfterPulls)
            {
                var skip = (int)(_cursor / SlotSamples % Slots);
                _filled[skip] = false;
                _cursor += SlotSamples;
                Skipped++;
                _overTarget = 0;
            }
        }
        else
        {
            _overTarget = 0;
        }
        return had;
    }
}
