using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;

namespace Contacto.Media.Rtp;

/// <summary>
/// Takes the RTP packets waiting on a socket without blocking, for the pacing loop that owns the
/// session: one per loop, reused for all its sessions (not thread-safe). On Linux (x64, arm64)
/// one recvmmsg call takes up to <see cref="Batch"/> packets with each one's kernel arrival time
/// (SO_TIMESTAMPNS), so the RFC 3550 jitter is the network's and not the loop's 10 ms tick.
/// Elsewhere it reads one packet at a time while the socket has data, stamped with the clock.
/// </summary>
internal sealed unsafe partial class RtpBatchReceiver : IDisposable
{
    public const int Batch = 8;
    public const int MaxPacket = 1500;
    private const int NameSize = 28;                 // sockaddr_in6, the larger
    private const int ControlSize = 64;              // a cmsghdr (16) and a timespec (16), with room
    private const int MessageSize = 64;              // struct mmsghdr: msghdr (56) and msg_len, padded
    private const int SolSocket = 1;
    private const int SoTimestampNs = 35;
    private const int MsgDontWait = 0x40;

    private static readonly bool Native = OperatingSystem.IsLinux()
        && RuntimeInformation.ProcessArchitecture is Architecture.X64 or Architecture.Arm64;

    private readonly byte* _memory;
    private readonly SocketAddress[] _sources4 = new SocketAddress[Batch];
    private readonly SocketAddress[] _sources6 = new SocketAddress[Batch];
    private readonly SocketAddress[] _sources = new SocketAddress[Batch];
    private readonly long[] _arrivals = new long[Batch];
    private readonly int[] _lengths = new int[Batch];
    private readonly byte[] _fallbackBuffer = new byte[MaxPacket];
    private readonly TimeProvider _time;

    public RtpBatchReceiver(TimeProvider time)
    {
        _time = time;
        _memory = (byte*)NativeMemory.AllocZeroed((nuint)(Batch * (MaxPacket + ControlSize + MessageSize + 16 + NameSize)));
        for (var i = 0; i < Batch; i++)
        {
            _sources4[i] = _sources[i] = new SocketAddress(AddressFamily.InterNetwork);
            _sources6[i] = new SocketAddress(AddressFamily.InterNetworkV6);
        }
    }

    /// <summary>Asks the kernel to stamp each packet's arrival on this socket (Linux).</summary>
    public static void EnableTimestamps(Socket socket)
    {
        if (Native)
        {
            socket.SetRawSocketOption(SolSocket, SoTimestampNs, BitConverter.GetBytes(1));
        }
    }

    /// <summary>The i-th packet of the last <see cref="Receive"/>.</summary>
    public Span<byte> Packet(int i) => new(_memory + i * MaxPacket, _lengths[i]);

    /// <summary>Where the i-th packet came from; valid until the next <see cref="Receive"/>.</summary>
    public SocketAddress Source(int i) => _sources[i];

    /// <summary>When the i-th packet arrived, in nanoseconds on a clock that only differences mean anything on.</summary>
    public long ArrivalNanoseconds(int i) => _arrivals[i];

    /// <summary>Takes up to <see cref="Batch"/> waiting packets; 0 when none wait (or the socket is closed).</summary>
    public int Receive(Socket socket)
    {
        return Native ? ReceiveNative(socket) : ReceiveManaged(socket);
    }

    private int ReceiveNative(Socket socket)
    {
        var controls = _memory + Batch * MaxPacket;
        var messages = controls + Batch * ControlSize;
        var vectors = (IoVector*)(messages + Batch * MessageSize);
        var names = (byte*)(vectors + Batch);
        for (var i = 0; i < Batch; i++)
        {
            vectors[i] = new IoVector { Base = _memory + i * MaxPacket, Length = MaxPacket };
            var header = (MessageHeader*)(messages + i * MessageSize);
            *header = new MessageHeader
            {
                Name = names + i * NameSize,
                NameLength = NameSize,
                Vector = &vectors[i],
                VectorLength = 1,
                Control = controls + i * ControlSize,
                ControlLength = ControlSize,
            };
        }
        int received;
        var handle = socket.SafeHandle;
        var added = false;
        try
        {
            handle.DangerousAddRef(ref added);
            received = ReceiveMessages((int)handle.DangerousGetHandle(), messages, Batch, MsgDontWait, null);
        }
        catch (ObjectDisposedException)
        {
            return 0;
        }
        finally
        {
            if (added)
            {
                handle.DangerousRelease();
            }
        }
        if (received < 0)
        {
            // EAGAIN: nothing waits. Another error (an ICMP error about an earlier send) is
            // reported once; the next call reads on.
            return 0;
        }
        var now = _time.GetTimestamp();
        for (var i = 0; i < received; i++)
        {
            var header = (MessageHeader*)(messages + i * MessageSize);
            _lengths[i] = *(int*)(messages + i * MessageSize + sizeof(MessageHeader));
            // SocketAddress holds the platform's sockaddr bytes; sa_family first (AF_INET6 = 10).
            var name = new ReadOnlySpan<byte>(names + i * NameSize, (int)Math.Min(header->NameLength, NameSize));
            var source = _sources[i] = *(ushort*)(names + i * NameSize) == 10 ? _sources6[i] : _sources4[i];
            name[..Math.Min(name.Length, source.Size)].CopyTo(source.Buffer.Span);
            _arrivals[i] = KernelArrival(header) ?? (long)(now * (1e9 / _time.TimestampFrequency));
        }
        return received;
    }

    private static long? KernelArrival(MessageHeader* header)
    {
        // One control message at most is asked for: SCM_TIMESTAMPNS, a struct timespec.
        if (header->ControlLength < 32)
        {
            return null;
        }
        var control = (byte*)header->Control;
        if (*(int*)(control + 8) != SolSocket || *(int*)(control + 12) != SoTimestampNs)
        {
            return null;
        }
        return *(long*)(control + 16) * 1_000_000_000 + *(long*)(control + 24);
    }

    private int ReceiveManaged(Socket socket)
    {
        var count = 0;
        try
        {
            while (count < Batch && socket.Available > 0)
            {
                var source = _sources[count] = socket.AddressFamily == AddressFamily.InterNetworkV6 ? _sources6[count] : _sources4[count];
                var length = socket.ReceiveFrom(_fallbackBuffer, SocketFlags.None, source);
                _fallbackBuffer.AsSpan(0, length).CopyTo(new Span<byte>(_memory + count * MaxPacket, MaxPacket));
                _lengths[count] = length;
                _arrivals[count] = (long)(_time.GetTimestamp() * (1e9 / _time.TimestampFrequency));
                count++;
            }
        }
        catch (Exception error) when (error is SocketException or ObjectDisposedException)
        {
        }
        return count;
    }

    public void Dispose()
    {
        NativeMemory.Free(_memory);
    }

    [StructLayout(LayoutKind.Sequential)]
    private struct IoVector
    {
        public byte* Base;
        public nuint Length;
    }

    [StructLayout(LayoutKind.Sequential)]
    private struct MessageHeader
    {
        public void* Name;
        public uint NameLength;
        public IoVector* Vector;
        public nuint VectorLength;
        public void* Control;
        public nuint ControlLength;
        public int Flags;
    }

    [LibraryImport("libc", EntryPoint = "recvmmsg", SetLastError = true)]
    private static partial int ReceiveMessages(int socket, byte* messages, uint count, int flags, void* timeout);
}
