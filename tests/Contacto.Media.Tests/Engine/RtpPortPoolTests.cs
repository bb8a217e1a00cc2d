using System.Net;
using System.Net.Sockets;
using Contacto.Media.Rtp;

namespace Contacto.Media.Tests.Engine;

public sealed class RtpPortPoolTests : IDisposable
{
    private readonly string _proc = Directory.CreateTempSubdirectory("media-proc-").FullName;

    public RtpPortPoolTests() => Directory.CreateDirectory(Path.Combine(_proc, "sys/net/ipv4"));

    public void Dispose() => Directory.Delete(_proc, recursive: true);

    private void Kernel(string range, string reserved = "")
    {
        File.WriteAllText(Path.Combine(_proc, "sys/net/ipv4/ip_local_port_range"), range + "\n");
        File.WriteAllText(Path.Combine(_proc, "sys/net/ipv4/ip_local_reserved_ports"), reserved + "\n");
    }

    [Fact]
    public void RefusesARangeTheKernelMayHandOutUnlessReservedOrAllowed()
    {
        Kernel("32768\t60999");

        var error = Assert.Throws<MediaException>(() => new RtpPortPool(IPAddress.Loopback, 30000, 40000, procRoot: _proc));
        Assert.Contains("32768-60999", error.Message);
        Assert.Contains("ip_local_reserved_ports", error.Message);

        _ = new RtpPortPool(IPAddress.Loopback, 30000, 40000, EphemeralOverlapPolicy.Warn, procRoot: _proc);
        _ = new RtpPortPool(IPAddress.Loopback, 16384, 32767, procRoot: _proc);
        Kernel("32768\t60999", "32768-40000");
        _ = new RtpPortPool(IPAddress.Loopback, 30000, 40000, procRoot: _proc);
    }

    [Fact]
    public void TheDefaultRangeLiesOutsideTheKernelsDefaultEphemeralRange()
    {
        Kernel("32768\t60999");

        Assert.Null(RtpPortPool.EphemeralOverlap(16384, 32767, _proc));
        Assert.Equal((32768, 60999, 1), RtpPortPool.EphemeralOverlap(16384, 32768, _proc));
    }

    [Fact]
    public void RentsEvenOddPairsRoundRobinSkipsPortsTakenByOthersAndReusesFreedOnes()
    {
        Kernel("32768 60999");
        using var squatter = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        squatter.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        var base_ = 21000 + Random.Shared.Next(0, 400) * 10;
        using var taken = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        taken.Bind(new IPEndPoint(IPAddress.Loopback, base_ + 3));     // the RTCP port of the second pair
        var pool = new RtpPortPool(IPAddress.Loopback, base_, base_ + 7, procRoot: _proc);

        var first = pool.Rent();
        var second = pool.Rent();
        var third = pool.Rent();

        Assert.Equal(base_, first.RtpPort);
        Assert.Equal(base_ + 1, first.RtcpPort);
        Assert.Equal(base_ + 4, second.RtpPort);
        Assert.Equal(base_ + 6, third.RtpPort);
        Assert.Throws<MediaException>(pool.Rent);
        second.Dispose();
        Assert.Equal(base_ + 4, pool.Rent().RtpPort);
        Assert.Equal(3, pool.InUse);
        first.Dispose();
        first.Dispose();
        Assert.Equal(2, pool.InUse);
    }
}
