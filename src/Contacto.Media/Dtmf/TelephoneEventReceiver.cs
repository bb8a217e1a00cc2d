using System.Buffers.Binary;

namespace Contacto.Media.Dtmf;

/// <summary>
/// Turns RFC 4733 telephone-event packets into digits, each reported exactly once. An event is
/// identified by its SSRC and RTP timestamp, which every packet of it repeats (the start with
/// the marker, the updates while the key is held, the end packet sent three times); the digit
/// is reported on the first packet seen, so a lost start or lost ends change nothing. A long
/// event that the sender split into segments (RFC 4733 section 2.5.1.3: the next segment's
/// timestamp is the previous one's plus its duration) is the same key press.
/// </summary>
internal sealed class TelephoneEventReceiver
{
    private const int Remembered = 16;
    private readonly (uint Ssrc, uint Timestamp, byte Event, ushort Duration, bool Ended)[] _recent = new (uint, uint, byte, ushort, bool)[Remembered];
    private int _count;
    private int _next;

    /// <summary>The digit to report for this packet, or null (a repeat, a segment, an unknown event, malformed).</summary>
    public char? Receive(uint ssrc, uint timestamp, ReadOnlySpan<byte> payload)
    {
        if (payload.Length < 4)
        {
            return null;
        }
        var code = payload[0];
        var ended = (payload[1] & 0x80) != 0;
        var duration = BinaryPrimitives.ReadUInt16BigEndian(payload[2..]);
        for (var i = 0; i < _count; i++)
        {
            ref var seen = ref _recent[i];
            if (seen.Ssrc == ssrc && seen.Timestamp == timestamp)
            {
                seen.Ended |= ended;
                seen.Duration = Math.Max(seen.Duration, duration);
                return null;
            }
        }
        var continuation = false;
        for (var i = 0; i < _count; i++)
        {
            var seen = _recent[i];
            if (seen.Ssrc == ssrc && seen.Event == code && !seen.Ended && seen.Duration > 0 && (uint)(seen.Timestamp + seen.Duration) == timestamp)
            {
                continuation = true;
            }
        }
        _recent[_next] = (ssrc, timestamp, code, duration, ended);
        _next = (_next + 1) % Remembered;
        _count = Math.Min(_count + 1, Remembered);
        if (continuation || code >= DtmfDigit.Keys.Length)
        {
            return null;
        }
        return DtmfDigit.Keys[code];
    }
}
