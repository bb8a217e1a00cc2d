using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;

namespace Contacto.Media.Rtp;

/// <summary>What to do when the RTP port range overlaps the kernel's ephemeral range.</summary>
public enum EphemeralOverlapPolicy
{
    /// <summary>Refuse to start: the kernel would hand ports of the range to other sockets.</summary>
    Refuse,

    /// <summary>Start and log a warning: some calls may fail to bind a port the kernel gave away.</summary>
    Warn,
}

/// <summary>
/// Hands out RTP/RTCP port pairs (even RTP port, RTCP on the next) from a configured range,
/// round robin so a freed port rests before it is used again (late packets of an old call do not
/// reach a new one). A pair whose bind fails (another process holds it) is skipped. The range
/// must lie outside the kernel's ephemeral range (/proc/sys/net/ipv4/ip_local_port_range), or
/// inside ports reserved from it (ip_local_reserved_ports), or the kernel hands its ports to
/// outgoing connections and about one call in a few hundred fails to bind.
/// </summary>
public sealed partial class RtpPortPool
{
    private readonly IPAddress _address;
    private readonly int _first;
    private readonly int _pairs;
    private readonly bool[] _inUse;
    private readonly Lock _gate = new();
    private int _cursor;

    public RtpPortPool(IPAddress address, int minPort, int maxPort, EphemeralOverlapPolicy policy = EphemeralOverlapPolicy.Refuse,
        ILogger? logger = null, string procRoot = "/proc")
    {
        if (minPort < 1024 || maxPort > 65535 || minPort >= maxPort)
        {
            throw new ArgumentException($"The RTP port range {minPort}-{maxPort} must lie within 1024-65535, low before high.");
        }
        _address = address;
        _first = minPort % 2 == 0 ? minPort : minPort + 1;
        _pairs = (maxPort - _first + 1) / 2;
        if (_pairs < 1)
        {
            throw new ArgumentException($"The RTP port range {minPort}-{maxPort} holds no even/odd pair.");
        }
        _inUse = new bool[_pairs];
        var overlap = EphemeralOverlap(_first, _first + 2 * _pairs - 1, procRoot);
        if (overlap is { } o)
        {
            var message = $"The RTP port range {_first}-{_first + 2 * _pairs - 1} overlaps the kernel's ephemeral port range {o.Low}-{o.High} " +
                $"({o.Count} ports not reserved): the kernel may hand them to other sockets. Move the range outside it, or reserve it " +
                "(sysctl net.ipv4.ip_local_reserved_ports).";
            if (policy == EphemeralOverlapPolicy.Refuse)
            {
                throw new MediaException(message);
            }
            if (logger is not null)
            {
                LogOverlap(logger, message);
            }
        }
    }

    public int Capacity => _pairs;

    public int InUse
    {
        get
        {
            lock (_gate)
            {
                return _inUse.Count(u => u);
            }
        }
    }

    /// <summary>Binds the next free pair. Throws when every pair is taken or cannot be bound.</summary>
    public RtpPortLease Rent()
    {
        lock (_gate)
        {
            for (var attempt = 0; attempt < _pairs; attempt++)
            {
                var pair = _cursor;
                _cursor = (_cursor + 1) % _pairs;
                if (_inUse[pair])
                {
                    continue;
                }
                var port = _first + 2 * pair;
                var rtp = TryBind(port);
                if (rtp is null)
                {
                    continue;
                }
                var rtcp = TryBind(port + 1);
                if (rtcp is null)
                {
                    rtp.Dispose();
                    continue;
                }
                _inUse[pair] = true;
                return new RtpPortLease(this, pair, rtp, rtcp);
            }
        }
        throw new MediaException($"No free RTP port pair in {_first}-{_first + 2 * _pairs - 1}.");
    }

    internal void Return(int pair)
    {
        lock (_gate)
        {
            _inUse[pair] = false;
        }
    }

    private Socket? TryBind(int port)
    {
        var socket = new Socket(_address.AddressFamily, SocketType.Dgram, ProtocolType.Udp);
        try
        {
            if (_address.Equals(IPAddress.IPv6Any))
            {
                socket.DualMode = true;
            }
            socket.ReceiveBufferSize = 256 * 1024;
            socket.Bind(new IPEndPoint(_address, port));
            return socket;
        }
        catch (SocketException)
        {
            socket.Dispose();
            return null;
        }
    }

    /// <summary>The part of [low, high] the kernel may use for ephemeral ports, or null.</summary>
    internal static (int Low, int High, int Count)? EphemeralOverlap(int low, int high, string procRoot)
    {
        var rangeFile = Path.Combine(procRoot, "sys/net/ipv4/ip_local_port_range");
        if (!File.Exists(rangeFile))
        {
            return null;
        }
        var parts = File.ReadAllText(rangeFile).Split((char[])[' ', '\t', '\n'], StringSplitOptions.RemoveEmptyEntries);
        if (parts.Length < 2
            || !int.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out var ephemeralLow)
            || !int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var ephemeralHigh))
        {
            return null;
        }
        var reserved = ReservedPorts(Path.Combine(procRoot, "sys/net/ipv4/ip_local_reserved_ports"));
        var count = 0;
        for (var port = Math.Max(low, ephemeralLow); port <= Math.Min(high, ephemeralHigh); port++)
        {
            if (!reserved.Contains(port))
            {
                count++;
            }
        }
        return count == 0 ? null : (ephemeralLow, ephemeralHigh, count);
    }

    private static HashSet<int> ReservedPorts(string file)
    {
        var ports = new HashSet<int>();
        if (!File.Exists(file))
        {
            return ports;
        }
        foreach (var item in File.ReadAllText(file).Split((char[])[',', '\n', ' '], StringSplitOptions.RemoveEmptyEntries))
        {
            var dash = item.IndexOf('-');
            if (dash < 0 && int.TryParse(item, NumberStyles.None, CultureInfo.InvariantCulture, out var single))
            {
                ports.Add(single);
            }
            else if (dash > 0
                && int.TryParse(item[..dash], NumberStyles.None, CultureInfo.InvariantCulture, out var from)
                && int.TryParse(item[(dash + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out var to))
            {
                for (var port = from; port <= Math.Min(to, 65535); port++)
                {
                    ports.Add(port);
                }
            }
        }
        return ports;
    }

    [LoggerMessage(EventId = 4100, Level = LogLevel.Warning, Message = "{Message}")]
    private static partial void LogOverlap(ILogger logger, string message);
}

/// <summary>A bound RTP/RTCP socket pair; disposing it closes both and frees the pair.</summary>
public sealed class RtpPortLease : IDisposable
{
    private readonly RtpPortPool _pool;
    private readonly int _pair;
    private int _disposed;

    internal RtpPortLease(RtpPortPool pool, int pair, Socket rtp, Socket rtcp)
    {
        _pool = pool;
        _pair = pair;
        Rtp = rtp;
        Rtcp = rtcp;
    }

    public Socket Rtp { get; }
    public Socket Rtcp { get; }
    public int RtpPort => ((IPEndPoint)Rtp.LocalEndPoint!).Port;
    public int RtcpPort => ((IPEndPoint)Rtcp.LocalEndPoint!).Port;

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 0)
        {
            Rtp.Dispose();
            Rtcp.Dispose();
            _pool.Return(_pair);
        }
    }
}
