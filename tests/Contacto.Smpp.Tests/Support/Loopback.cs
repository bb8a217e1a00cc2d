using System.Net;
using System.Net.Sockets;

namespace Contacto.Smpp.Tests.Support;

/// <summary>Two ends of one TCP connection on 127.0.0.1.</summary>
internal static class Loopback
{
    public static readonly TimeSpan Patience = TimeSpan.FromSeconds(10);

    public static async Task<(NetworkStream Client, NetworkStream Server)> ConnectedPairAsync()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var client = new TcpClient { NoDelay = true };
        var accepting = listener.AcceptTcpClientAsync();
        await client.ConnectAsync(IPAddress.Loopback, ((IPEndPoint)listener.LocalEndpoint).Port);
        var server = await accepting.WaitAsync(Patience);
        return (client.GetStream(), server.GetStream());
    }

    /// <summary>Reads exactly one frame, or null if the peer closed first.</summary>
    public static async Task<byte[]?> ReadFrameAsync(Stream stream)
    {
        var header = new byte[4];
        if (!await ReadExactlyOrEndAsync(stream, header))
        {
            return null;
        }
        var length = (int)System.Buffers.Binary.BinaryPrimitives.ReadUInt32BigEndian(header);
        var frame = new byte[length];
        header.CopyTo(frame, 0);
        return await ReadExactlyOrEndAsync(stream, frame.AsMemory(4)) ? frame : null;
    }

    /// <summary>True once the peer has closed: reads and discards until end of stream.</summary>
    public static async Task<bool> ClosedByPeerAsync(Stream stream)
    {
        var sink = new byte[4096];
        try
        {
            while (await stream.ReadAsync(sink).AsTask().WaitAsync(Patience) > 0)
            {
            }
        }
        catch (IOException)
        {
        }
        return true;
    }

    private static async Task<bool> ReadExactlyOrEndAsync(Stream stream, Memory<byte> buffer)
    {
        try
        {
            await stream.ReadExactlyAsync(buffer).AsTask().WaitAsync(Patience);
            return true;
        }
        catch (Exception e) when (e is EndOfStreamException or IOException)
        {
            return false;
        }
    }

    /// <summary>Waits, yielding, until the condition holds; fails after <see cref="Patience"/>.</summary>
    public static async Task WaitForAsync(Func<bool> condition)
    {
        var deadline = DateTime.UtcNow + Patience;
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "condition not met in time");
            await Task.Yield();
        }
    }
}
