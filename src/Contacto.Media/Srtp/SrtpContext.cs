using System.Buffers.Binary;
using System.Security.Cryptography;
using Contacto.Media.Rtp;

namespace Contacto.Media.Srtp;

/// <summary>
/// SRTP and SRTCP (RFC 3711) for one direction of one call: AES-CM encryption and HMAC-SHA1
/// authentication with session keys derived from an SDES master key (key derivation rate 0).
/// A sending context protects; a receiving one checks the tag, then the replay window, then
/// decrypts. Packets are transformed in place; a protected packet needs room for its trailer.
/// Not thread-safe: one context per direction, used by one sender or one receive loop.
/// </summary>
public sealed class SrtpContext : IDisposable
{
    public const int ReplayWindowSize = 64;
    private const int RtcpTagLength = 10;
    private const int MaxSources = 4;
    private const byte LabelRtpEncryption = 0, LabelRtpAuthentication = 1, LabelRtpSalt = 2;
    private const byte LabelRtcpEncryption = 3, LabelRtcpAuthentication = 4, LabelRtcpSalt = 5;

    private readonly Aes _rtpCipher;
    private readonly Aes _rtcpCipher;
    private readonly IncrementalHash _rtpMac;
    private readonly IncrementalHash _rtcpMac;
    private readonly byte[] _rtpSalt;
    private readonly byte[] _rtcpSalt;
    private readonly int _rtpTagLength;
    private readonly Dictionary<uint, SourceState> _sources = [];
    private readonly byte[] _counters = new byte[2048];
    private readonly byte[] _keystream = new byte[2048];
    private uint _rtcpIndex;

    public SrtpContext(SrtpKeyMaterial key)
    {
        _rtpTagLength = key.Suite.RtpTagLength();
        _rtpCipher = CipherFor(Derive(key, LabelRtpEncryption, 16));
        _rtpMac = IncrementalHash.CreateHMAC(HashAlgorithmName.SHA1, Derive(key, LabelRtpAuthentication, 20));
        _rtpSalt = Derive(key, LabelRtpSalt, 14);
        _rtcpCipher = CipherFor(Derive(key, LabelRtcpEncryption, 16));
        _rtcpMac = IncrementalHash.CreateHMAC(HashAlgorithmName.SHA1, Derive(key, LabelRtcpAuthentication, 20));
        _rtcpSalt = Derive(key, LabelRtcpSalt, 14);
    }

    /// <summary>Octets a protected RTP packet gains.</summary>
    public int RtpOverhead => _rtpTagLength;

    /// <summary>Octets a protected RTCP packet gains (E flag and index, then the tag).</summary>
    public static int RtcpOverhead => 4 + RtcpTagLength;

    /// <summary>Session key derivation (RFC 3711 section 4.3.1) with a key derivation rate of 0.</summary>
    internal static byte[] Derive(SrtpKeyMaterial key, byte label, int length)
    {
        Span<byte> iv = stackalloc byte[16];
        key.MasterSalt.CopyTo(iv);
        iv[7] ^= label;
        using var aes = CipherFor(key.MasterKey);
        var output = new byte[length];
        Keystream(aes, iv, output);
        return output;
    }

    /// <summary>Encrypts and tags an RTP packet of <paramref name="length"/> octets; returns the new length.</summary>
    public int ProtectRtp(Span<byte> packet, int length)
    {
        if (!RtpHeader.TryParse(packet[..length], out var header))
        {
            throw new ArgumentException("Not an RTP packet.", nameof(packet));
        }
        var source = Source(header.Ssrc, header.SequenceNumber);
        if (source.Started && header.SequenceNumber < source.HighestSequence && source.HighestSequence - header.SequenceNumber > 0x8000)
        {
            source.RolloverCounter++;
        }
        source.Started = true;
        source.HighestSequence = header.SequenceNumber;
        var index = ((ulong)source.RolloverCounter << 16) | header.SequenceNumber;
        Crypt(_rtpCipher, _rtpSalt, header.Ssrc, index, packet[header.HeaderLength..length]);
        Tag(_rtpMac, packet[..length], source.RolloverCounter, packet.Slice(length, _rtpTagLength));
        return length + _rtpTagLength;
    }

    /// <summary>
    /// Checks the tag and the replay window, then decrypts in place. False for a forged,
    /// corrupted, replayed or too old packet, which must be dropped.
    /// </summary>
    public bool TryUnprotectRtp(Span<byte> packet, int length, out int plainLength)
    {
        plainLength = 0;
        if (length < RtpHeader.FixedLength + _rtpTagLength
            || !RtpHeader.TryParse(packet[..(length - _rtpTagLength)], out var header))
        {
            return false;
        }
        var source = Source(header.Ssrc, header.SequenceNumber);
        var rollover = EstimateRollover(source, header.SequenceNumber);
        var index = ((long)rollover << 16) | header.SequenceNumber;
        if (source.Started && !source.Window.Accepts(index))
        {
            return false;
        }
        var authenticated = packet[..(length - _rtpTagLength)];
        Span<byte> expected = stackalloc byte[20];
        Tag(_rtpMac, authenticated, rollover, expected[.._rtpTagLength]);
        if (!CryptographicOperations.FixedTimeEquals(expected[.._rtpTagLength], packet.Slice(length - _rtpTagLength, _rtpTagLength)))
        {
            return false;
        }
        Crypt(_rtpCipher, _rtpSalt, header.Ssrc, (ulong)index, packet[header.HeaderLength..(length - _rtpTagLength)]);
        if (!source.Started || index > source.Window.Highest)
        {
            source.RolloverCounter = rollover;
            source.HighestSequence = header.SequenceNumber;
        }
        source.Started = true;
        source.Window.Record(index);
        plainLength = length - _rtpTagLength;
        return true;
    }

    /// <summary>Encrypts and tags an RTCP compound packet; returns the new length.</summary>
    public int ProtectRtcp(Span<byte> packet, int length)
    {
        if (length < 8)
        {
            throw new ArgumentException("Not an RTCP packet.", nameof(packet));
        }
        var index = _rtcpIndex;
        _rtcpIndex = (_rtcpIndex + 1) & 0x7FFFFFFF;
        var ssrc = BinaryPrimitives.ReadUInt32BigEndian(packet[4..]);
        Crypt(_rtcpCipher, _rtcpSalt, ssrc, index, packet[8..length]);
        BinaryPrimitives.WriteUInt32BigEndian(packet[length..], 0x80000000u | index);
        _rtcpMac.AppendData(packet[..(length + 4)]);
        Span<byte> full = stackalloc byte[20];
        _rtcpMac.GetHashAndReset(full);
        full[..RtcpTagLength].CopyTo(packet[(length + 4)..]);
        return length + RtcpOverhead;
    }

    public bool TryUnprotectRtcp(Span<byte> packet, int length, out int plainLength)
    {
        plainLength = 0;
        if (length < 8 + RtcpOverhead)
        {
            return false;
        }
        var trailer = length - RtcpOverhead;
        _rtcpMac.AppendData(packet[..(trailer + 4)]);
        Span<byte> full = stackalloc byte[20];
        _rtcpMac.GetHashAndReset(full);
        if (!CryptographicOperations.FixedTimeEquals(full[..RtcpTagLength], packet.Slice(trailer + 4, RtcpTagLength)))
        {
            return false;
        }
        var word = BinaryPrimitives.ReadUInt32BigEndian(packet[trailer..]);
        var index = word & 0x7FFFFFFF;
        var ssrc = BinaryPrimitives.ReadUInt32BigEndian(packet[4..]);
        var source = Source(ssrc, 0);
        if (source.RtcpStarted && !source.RtcpWindow.Accepts(index))
        {
            return false;
        }
        source.RtcpStarted = true;
        source.RtcpWindow.Record(index);
        if ((word & 0x80000000u) != 0)
        {
            Crypt(_rtcpCipher, _rtcpSalt, ssrc, index, packet[8..trailer]);
        }
        plainLength = trailer;
        return true;
    }

    public void Dispose()
    {
        _rtpCipher.Dispose();
        _rtcpCipher.Dispose();
        _rtpMac.Dispose();
        _rtcpMac.Dispose();
    }

    // RFC 3711 appendix A: the rollover counter the sender most probably used.
    private static uint EstimateRollover(SourceState source, ushort sequence)
    {
        if (!source.Started)
        {
            return 0;
        }
        var roc = source.RolloverCounter;
        if (source.HighestSequence < 0x8000)
        {
            return sequence - source.HighestSequence > 0x8000 && roc > 0 ? roc - 1 : roc;
        }
        return source.HighestSequence - 0x8000 > sequence ? roc + 1 : roc;
    }

    private SourceState Source(uint ssrc, ushort sequence)
    {
        if (!_sources.TryGetValue(ssrc, out var state))
        {
            if (_sources.Count == MaxSources)
            {
                // A peer that changes SSRC often: forget the oldest, whose packets then count as new.
                _sources.Remove(_sources.Keys.First());
            }
            state = new SourceState { HighestSequence = sequence };
            _sources[ssrc] = state;
        }
        return state;
    }

    // AES in counter mode (RFC 3711 section 4.1.1): IV = salt*2^16 ^ SSRC*2^64 ^ index*2^16.
    private void Crypt(Aes cipher, byte[] salt, uint ssrc, ulong index, Span<byte> data)
    {
        if (data.IsEmpty)
        {
            return;
        }
        Span<byte> iv = stackalloc byte[16];
        salt.CopyTo(iv);
        iv[4] ^= (byte)(ssrc >> 24);
        iv[5] ^= (byte)(ssrc >> 16);
        iv[6] ^= (byte)(ssrc >> 8);
        iv[7] ^= (byte)ssrc;
        for (var i = 0; i < 6; i++)
        {
            iv[13 - i] ^= (byte)(index >> (8 * i));
        }
        var stream = data.Length <= _keystream.Length ? _keystream.AsSpan(0, data.Length) : new byte[data.Length];
        Keystream(cipher, iv, stream, _counters);
        for (var i = 0; i < data.Length; i++)
        {
            data[i] ^= stream[i];
        }
    }

    private static void Keystream(Aes cipher, ReadOnlySpan<byte> iv, Span<byte> output, byte[]? scratch = null)
    {
        var blocks = (output.Length + 15) / 16;
        var counters = scratch is not null && scratch.Length >= blocks * 16 ? scratch.AsSpan(0, blocks * 16) : new byte[blocks * 16];
        var counter = BinaryPrimitives.ReadUInt16BigEndian(iv[14..]);
        for (var block = 0; block < blocks; block++)
        {
            var target = counters.Slice(block * 16, 16);
            iv[..14].CopyTo(target);
            BinaryPrimitives.WriteUInt16BigEndian(target[14..], (ushort)(counter + block));
        }
        Span<byte> encrypted = blocks * 16 <= 2048 ? stackalloc byte[blocks * 16] : new byte[blocks * 16];
        cipher.EncryptEcb(counters, encrypted, PaddingMode.None);
        encrypted[..output.Length].CopyTo(output);
    }

    private static void Tag(IncrementalHash mac, ReadOnlySpan<byte> authenticated, uint rollover, Span<byte> tag)
    {
        Span<byte> roc = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(roc, rollover);
        mac.AppendData(authenticated);
        mac.AppendData(roc);
        Span<byte> full = stackalloc byte[20];
        mac.GetHashAndReset(full);
        full[..tag.Length].CopyTo(tag);
    }

    private static Aes CipherFor(byte[] key)
    {
        var aes = Aes.Create();
        aes.Key = key;
        return aes;
    }

    private sealed class SourceState
    {
        public bool Started;
        public uint RolloverCounter;
        public ushort HighestSequence;
        public ReplayWindow Window;
        public bool RtcpStarted;
        public ReplayWindow RtcpWindow;
    }

    /// <summary>The last 64 indices seen (RFC 3711 section 3.3.2).</summary>
    private struct ReplayWindow
    {
        public long Highest;
        private ulong _seen;
        private bool _any;

        public readonly bool Accepts(long index)
        {
            if (!_any || index > Highest)
            {
                return true;
            }
            var age = Highest - index;
            return age < ReplayWindowSize && (_seen & (1UL << (int)age)) == 0;
        }

        public void Record(long index)
        {
            if (!_any)
            {
                _any = true;
                Highest = index;
                _seen = 1;
                return;
            }
            if (index > Highest)
            {
                var shift = index - Highest;
                _seen = shift >= 64 ? 1 : (_seen << (int)shift) | 1;
                Highest = index;
            }
            else
            {
                _seen |= 1UL << (int)(Highest - index);
            }
        }
    }
}
