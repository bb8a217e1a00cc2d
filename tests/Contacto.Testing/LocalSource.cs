using System.Net;
using System.Net.Sockets;

namespace Contacto.Testing;

/// <summary>
/// Connections to the server on 127.0.0.1 that leave from another loopback address (all of
/// 127.0.0.0/8 is local), so the server sees a different client address, as from another host.
/// </summary>
public static class LocalSource
{
    public static Func<SocketsHttpConnectionContext, CancellationToken, ValueTask<Stream>> ConnectFrom(IPAddress local) => async (context, cancellationToken) =>
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            socket.Bind(new IPEndPoint(local, 0));
            await socket.ConnectAsync(new IPEndPoint(IPAddress.Loopback, context.DnsEndPoint.Port), cancellationToken);
            return new NetworkStream(socket, ownsSocket: true);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    };
}
