using System.Net;
using System.Net.Sockets;
using Contacto.Media.Rtp;

namespace Contacto.Media.Tests.Rtp;

public sealed class RtpBatchReceiverTests
{
    [Theory]
    [InlineData("127.0.0.1")]
    [InlineData("::1")]
    public void TakesWhatWaitsWithSourcesAndKernelArrivalTimesAndNothingWhenNothingWaits(string loopback)
    {
        var address = IPAddress.Parse(loopback);
        using var socket = new Socket(address.AddressFamily, SocketType.Dgram, ProtocolType.Udp);
        socket.Bind(new IPEndPoint(address, 0));
        RtpBatchReceiver.EnableTimestamps(socket);
        using var sender = new Socket(address.AddressFamily, SocketType.Dgram, ProtocolType.Udp);
        sender.Bind(new IPEndPoint(address, 0));
        using var receiver = new RtpBatchReceiver(TimeProvider.System);

        Assert.Equal(0, receiver.Receive(socket));
        var packets = Enumerable.Range(1, RtpBatchReceiver.Batch + 3).Select(n => Enumerable.Repeat((byte)n, n * 10).ToArray()).ToList();
        foreach (var packet in packets)
        {
            sender.SendTo(packet, socket.LocalEndPoint!);
            Thread.Sleep(2);
        }
        while (socket.Available == 0)
        {
            Thread.Yield();
        }

        var first = receiver.Receive(socket);
        Assert.Equal(RtpBatchReceiver.Batch, first);
        var arrivals = new List<long>();
        for (var i = 0; i < first; i++)
        {
            Assert.Equal(packets[i], receiver.Packet(i).ToArray());
            Assert.Equal(sender.LocalEndPoint, new IPEndPoint(address, 0).Create(receiver.Source(i)));
            arrivals.Add(receiver.ArrivalNanoseconds(i));
        }
        // Sent 2 ms apart at least: the kernel's stamps say so, whenever they were read.
        Assert.All(arrivals.Zip(arrivals.Skip(1)), pair => Assert.True(pair.Second - pair.First >= 1_500_000, $"{pair.Second - pair.First} ns apart"));
        Assert.Equal(3, receiver.Receive(socket));
        Assert.Equal(packets[^1], receiver.Packet(2).ToArray());
        Assert.Equal(0, receiver.Receive(socket));
        socket.Dispose();
        Assert.Equal(0, receiver.Receive(socket));
    }
}
