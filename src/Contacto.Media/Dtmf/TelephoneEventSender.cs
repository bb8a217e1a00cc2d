using System.Buffers.Binary;

namespace Contacto.Media.Dtmf;

/// <summary>
/// Plays queued digits as RFC 4733 events, one packet per packet time: the start (marker set),
/// updates with growing duration while the tone lasts, the end packet three times, then a gap of
/// ordinary audio before the next digit. The caller asks for one packet per frame.
/// </summary>
internal sealed class TelephoneEventSender
{
    public const int ToneMilliseconds = 100;
    public const int GapMilliseconds = 60;
    private const int EndRepeats = 3;
    private const byte Volume = 10;
    private readonly Queue<char> _digits = new();
    private char _current;
    private uint _timestamp;
    private int _elapsed;
    private int _endsSent;
    private int _gapLeft;
    private bool _active;

    public bool IsBusy => _active || _digits.Count > 0 || _gapLeft > 0;

    public int Pending => _digits.Count + (_active ? 1 : 0);

    public void Enqueue(char digit) => _digits.Enqueue(digit);

    public void Clear()
    {
        _digits.Clear();
        _active = false;
        _gapLeft = 0;
    }

    /// <summary>
    /// For the frame starting at <paramref name="timestamp"/>: true and a 4-octet payload to send
    /// instead of audio (with <paramref name="marker"/> and <paramref name="eventTimestamp"/>), or
    /// false to send audio. <paramref name="completed"/> is set when a digit's last end packet goes.
    /// </summary>
    public bool Next(uint timestamp, int frameSamples, Span<byte> payload, out bool marker, out uint eventTimestamp, out bool completed)
    {
        marker = false;
        completed = false;
        eventTimestamp = 0;
        if (!_active)
        {
            if (_gapLeft > 0)
            {
                _gapLeft -= frameSamples;
                return false;
            }
            if (!_digits.TryDequeue(out _current))
            {
                return false;
            }
            _active = true;
            _timestamp = timestamp;
            _elapsed = 0;
            _endsSent = 0;
            marker = true;
        }
        var toneSamples = ToneMilliseconds * 8;
        var ending = _elapsed + frameSamples >= toneSamples;
        if (!ending)
        {
            _elapsed += frameSamples;
        }
        else if (_endsSent == 0)
        {
            _elapsed = Math.Max(_elapsed + frameSamples, toneSamples);
        }
        payload[0] = (byte)DtmfDigit.EventCode(_current);
        payload[1] = (byte)((ending ? 0x80 : 0) | Volume);
        BinaryPrimitives.WriteUInt16BigEndian(payload[2..], (ushort)_elapsed);
        eventTimestamp = _timestamp;
        if (ending && ++_endsSent == EndRepeats)
        {
            _active = false;
            _gapLeft = GapMilliseconds * 8;
            completed = true;
        }
        return true;
    }
}
