using System.Collections.Concurrent;
using System.Net;
using Contacto.Platform;
using Microsoft.AspNetCore.Connections;

namespace Contacto.Operations;

/// <summary>
/// Open connections per client source (<see cref="ClientSource"/>: an IPv4 address, an IPv6 /64) on
/// one listener. A source at its limit has further connections closed before TLS, so one client
/// holding many slow or idle connections cannot take the places of others. Addresses that multiplex
/// many clients (the configured proxies) are not counted.
/// </summary>
internal sealed class SourceConnections(int limit, Func<IPAddress, bool> exempt)
{
    readonly ConcurrentDictionary<IPNetwork, int> open = new();

    public ConnectionDelegate Wrap(ConnectionDelegate next) => async connection =>
    {
        if (connection.RemoteEndPoint is not IPEndPoint { Address: var address } || exempt(address))
        {
            await next(connection);
            return;
        }
        var source = ClientSource.Of(address);
        try
        {
            if (open.AddOrUpdate(source, 1, (_, n) => n + 1) <= limit)
                await next(connection);
        }
        finally
        {
            Release(source);
        }
    };

    void Release(IPNetwork source)
    {
        while (true)
        {
            var count = open[source];
            if (count == 1 ? open.TryRemove(KeyValuePair.Create(source, 1)) : open.TryUpdate(source, count - 1, count))
                return;
        }
    }
}
