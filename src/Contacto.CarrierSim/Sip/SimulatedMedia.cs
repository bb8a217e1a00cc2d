using System.Buffers.Binary;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Contacto.CarrierSim.Sip;

/// <summary>
/// One simulated call's audio, just enough to exercise the platform's media: one UDP socket for
/// RTP (G.711 µ-law or A-law, 20 ms packets, telephone-event 101), a 440 Hz tone played to the
/// peer, RFC 4733 digits, and what the peer sends recorded (payload kept up to a limit, every
/// packet counted, digits de-duplicated by SSRC and event time stamp as RFC 4733 asks).
/// </summary>
public sealed class SimulatedMedia : IAsyncDisposable
{
    private const int SamplesPerPacket = 160;
    private const byte TelephoneEvent = 101;

    private readonly Socket _socket;
    private readonly IPAddress _address;
    private readonly TimeProvider _time;
    private readonly int _recordLimit;
    private readonly MemoryStream _recorded = new();
    private readonly HashSet<(uint Ssrc, uint Timestamp)> _events = [];
    private readonly List<char> _digits = [];
    private readonly CancellationTokenSource _stopping = new();
    private readonly Task _receiving;
    private readonly uint _ssrc = (uint)Random.Shared.Next();
    private ushort _sequence = (ushort)Random.Shared.Next();
    private uint _timestamp = (uint)Random.Shared.Next();
    private long _packets;
    private long _bytes;

    public SimulatedMedia(IPAddress address, TimeProvider? time = null, int recordLimitBytes = 8000 * 60)
    {
        _address = address;
        _time = time ?? TimeProvider.System;
        _recordLimit = recordLimitBytes;
        _socket = new Socket(address.AddressFamily, SocketType.Dgram, ProtocolType.Udp);
        _socket.Bind(new IPEndPoint(address, 0));
        _receiving = Task.Run(ReceiveAsync);
    }

    public int Port => ((IPEndPoint)_socket.LocalEndPoint!).Port;

    /// <summary>Where the peer's SDP says to send RTP; null until known (or when it has none).</summary>
    public IPEndPoint? Remote { get; private set; }

    /// <summary>0 (PCMU) or 8 (PCMA): the codec both sides agreed on.</summary>
    public int PayloadType { get; private set; }

    public long PacketsReceived => Interlocked.Read(ref _packets);

    public long BytesReceived => Interlocked.Read(ref _bytes);

    /// <summary>The audio payload received so far (up to the record limit).</summary>
    public byte[] Recorded
    {
        get
        {
            lock (_recorded)
            {
                return _recorded.ToArray();
            }
        }
    }

    /// <summary>RFC 4733 digits received, each once.</summary>
    public string DigitsReceived
    {
        get
        {
            lock (_events)
            {
                return new string([.. _digits]);
            }
        }
    }

    /// <summary>An SDP offer for this socket: PCMU, PCMA and telephone-event.</summary>
    public byte[] Offer() => Describe("0 8 101", [(0, "PCMU"), (8, "PCMA")]);

    /// <summary>Takes the peer's offer and returns the answer: the first of PCMU and PCMA it offers (PCMU if none).</summary>
    public byte[] Answer(ReadOnlyMemory<byte> offer)
    {
        var (remote, payloads) = Read(offer);
        Remote = remote;
        PayloadType = payloads.FirstOrDefault(p => p is 0 or 8);
        return Describe($"{PayloadType} 101", [(PayloadType, PayloadType == 8 ? "PCMA" : "PCMU")]);
    }

    /// <summary>Takes the peer's answer to <see cref="Offer"/>.</summary>
    public void Answered(ReadOnlyMemory<byte> answer)
    {
        var (remote, payloads) = Read(answer);
        Remote = remote;
        PayloadType = payloads.FirstOrDefault(p => p is 0 or 8);
    }

    /// <summary>Sends a 440 Hz tone for <paramref name="length"/>, a packet every 20 ms.</summary>
    public async Task PlayToneAsync(TimeSpan length, CancellationToken cancellationToken = default)
    {
        if (Remote is not { } remote)
        {
            return;
        }
        var packets = (int)(length.TotalMilliseconds / 20);
        using var ticks = new PeriodicTimer(TimeSpan.FromMilliseconds(20), _time);
        var payload = new byte[SamplesPerPacket];
        for (var i = 0; i < packets && await Tick(ticks, cancellationToken); i++)
        {
            for (var s = 0; s < SamplesPerPacket; s++)
            {
                var sample = (short)(8000 * Math.Sin(2 * Math.PI * 440 * (i * SamplesPerPacket + s) / 8000.0));
                payload[s] = PayloadType == 8 ? ALaw(sample) : MuLaw(sample);
            }
            await SendAsync(remote, (byte)PayloadType, payload, i == 0, SamplesPerPacket);
        }
    }

    /// <summary>Sends digits as RFC 4733 events: 100 ms each (progress every 20 ms, the end packet three times), 50 ms apart.</summary>
    public async Task SendDigitsAsync(string digits, CancellationToken cancellationToken = default)
    {
        if (Remote is not { } remote)
        {
            return;
        }
        using var ticks = new PeriodicTimer(TimeSpan.FromMilliseconds(20), _time);
        foreach (var digit in digits)
        {
            var code = "0123456789*#ABCD".IndexOf(char.ToUpperInvariant(digit));
            if (code < 0)
            {
                continue;
            }
            var start = _timestamp;
            for (var step = 1; step <= 7 && await Tick(ticks, cancellationToken); step++)
            {
                var end = step >= 5;
                var payload = new byte[] { (byte)code, (byte)(end ? 0x80 | 10 : 10), 0, 0 };
                BinaryPrimitives.WriteUInt16BigEndian(payload.AsSpan(2), (ushort)(Math.Min(step, 5) * SamplesPerPacket));
                await SendAsync(remote, TelephoneEvent, payload, step == 1, 0, start);
            }
            _timestamp += 5 * SamplesPerPacket + 400;
            for (var pause = 0; pause < 2 && await Tick(ticks, cancellationToken); pause++)
            {
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stopping.CancelAsync();
        _socket.Dispose();
        await _receiving.ConfigureAwait(false);
    }

    private async Task SendAsync(IPEndPoint remote, byte payloadType, byte[] payload, bool marker, int samples, uint? timestamp = null)
    {
        var packet = new byte[12 + payload.Length];
        packet[0] = 0x80;
        packet[1] = (byte)((marker ? 0x80 : 0) | payloadType);
        BinaryPrimitives.WriteUInt16BigEndian(packet.AsSpan(2), _sequence++);
        BinaryPrimitives.WriteUInt32BigEndian(packet.AsSpan(4), timestamp ?? _timestamp);
        BinaryPrimitives.WriteUInt32BigEndian(packet.AsSpan(8), _ssrc);
        payload.CopyTo(packet, 12);
        _timestamp += (uint)samples;
        try
        {
            await _socket.SendToAsync(packet, remote);
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException)
        {
            // Media is best effort, as on the wire.
        }
    }

    private async Task ReceiveAsync()
    {
        var buffer = new byte[2048];
        EndPoint any = new IPEndPoint(_address.AddressFamily == AddressFamily.InterNetwork ? IPAddress.Any : IPAddress.IPv6Any, 0);
        while (!_stopping.IsCancellationRequested)
        {
            int length;
            try
            {
                length = (await _socket.ReceiveFromAsync(buffer, any, _stopping.Token)).ReceivedBytes;
            }
            catch (Exception e) when (e is SocketException or ObjectDisposedException or OperationCanceledException)
            {
                if (_stopping.IsCancellationRequested)
                {
                    return;
                }
                continue;
            }
            if (length < 12 || buffer[0] >> 6 != 2)
            {
                continue;
            }
            var header = 12 + 4 * (buffer[0] & 0x0f);
            if (header > length)
            {
                continue;
            }
            Interlocked.Increment(ref _packets);
            var payloadType = buffer[1] & 0x7f;
            var payload = buffer.AsSpan(header, length - header);
            if (payloadType == TelephoneEvent)
            {
                Event(BinaryPrimitives.ReadUInt32BigEndian(buffer.AsSpan(8)), BinaryPrimitives.ReadUInt32BigEndian(buffer.AsSpan(4)), payload);
                continue;
            }
            Interlocked.Add(ref _bytes, payload.Length);
            lock (_recorded)
            {
                _recorded.Write(payload[..Math.Min(payload.Length, Math.Max(0, _recordLimit - (int)_recorded.Length))]);
            }
        }
    }

    private void Event(uint ssrc, uint timestamp, ReadOnlySpan<byte> payload)
    {
        // An event is one digit however often its packets repeat; it counts once its end bit is set.
        if (payload.Length < 4 || (payload[1] & 0x80) == 0 || payload[0] > 15)
        {
            return;
        }
        lock (_events)
        {
            if (_events.Add((ssrc, timestamp)))
            {
                _digits.Add("0123456789*#ABCD"[payload[0]]);
            }
        }
    }

    private byte[] Describe(string formats, (int Type, string Name)[] codecs)
    {
        var family = _address.AddressFamily == AddressFamily.InterNetworkV6 ? "IP6" : "IP4";
        var session = _ssrc.ToString(CultureInfo.InvariantCulture);
        var text = new StringBuilder()
            .Append("v=0\r\n")
            .Append($"o=- {session} {session} IN {family} {_address}\r\n")
            .Append("s=carrier-sim\r\n")
            .Append($"c=IN {family} {_address}\r\n")
            .Append("t=0 0\r\n")
            .Append($"m=audio {Port} RTP/AVP {formats}\r\n");
        foreach (var (type, name) in codecs)
        {
            text.Append($"a=rtpmap:{type} {name}/8000\r\n");
        }
        text.Append("a=rtpmap:101 telephone-event/8000\r\na=fmtp:101 0-15\r\na=ptime:20\r\na=sendrecv\r\n");
        return Encoding.ASCII.GetBytes(text.ToString());
    }

    /// <summary>The connection address and audio port of an SDP body, and its audio payload types.</summary>
    private static (IPEndPoint? Remote, List<int> Payloads) Read(ReadOnlyMemory<byte> sdp)
    {
        IPAddress? address = null;
        int? port = null;
        var payloads = new List<int>();
        foreach (var line in Encoding.ASCII.GetString(sdp.Span).Split('\n', StringSplitOptions.TrimEntries))
        {
            if (line.StartsWith("c=IN IP", StringComparison.Ordinal) && line.Split(' ') is [_, _, var host, ..] && IPAddress.TryParse(host.Split('/')[0], out var parsed))
            {
                address ??= parsed;
            }
            else if (line.StartsWith("m=audio ", StringComparison.Ordinal) && port is null)
            {
                var fields = line.Split(' ');
                port = fields.Length > 1 && int.TryParse(fields[1], CultureInfo.InvariantCulture, out var p) ? p : null;
                payloads.AddRange(fields.Skip(3).Select(f => int.TryParse(f, CultureInfo.InvariantCulture, out var t) ? t : -1));
            }
        }
        return (address is not null && port is > 0 and < 65536 ? new IPEndPoint(address, port.Value) : null, payloads);
    }

    private static async ValueTask<bool> Tick(PeriodicTimer ticks, CancellationToken cancellationToken)
    {
        try
        {
            return await ticks.WaitForNextTickAsync(cancellationToken);
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    /// <summary>G.711 µ-law (ITU-T G.711, with the usual bias of 132).</summary>
    private static byte MuLaw(short sample)
    {
        var sign = sample < 0 ? 0x80 : 0;
        var magnitude = Math.Min(Math.Abs((int)sample), 32635) + 132;
        var exponent = 7;
        for (var mask = 0x4000; (magnitude & mask) == 0 && exponent > 0; mask >>= 1)
        {
            exponent--;
        }
        var mantissa = (magnitude >> (exponent + 3)) & 0x0f;
        return (byte)~(sign | exponent << 4 | mantissa);
    }

    /// <summary>G.711 A-law.</summary>
    private static byte ALaw(short sample)
    {
        var sign = sample >= 0 ? 0x80 : 0;
        var magnitude = Math.Min(Math.Abs((int)sample), 32767) >> 3;
        int encoded;
        if (magnitude < 32)
        {
            encoded = magnitude >> 1;
        }
        else
        {
            var exponent = 1;
            for (var m = magnitude >> 5; m > 1; m >>= 1)
            {
                exponent++;
            }
            encoded = exponent << 4 | (magnitude >> exponent) & 0x0f;
        }
        return (byte)((sign | encoded) ^ 0x55);
    }
}
