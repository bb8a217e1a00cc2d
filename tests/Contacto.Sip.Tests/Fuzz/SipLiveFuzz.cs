using System.Net;
using System.Net.Sockets;
using Contacto.Sip.Dialogs;
using Contacto.Sip.Messages;
using Contacto.Sip.Transactions;
using Contacto.Sip.Transport;

namespace Contacto.Sip.Fuzzing;

/// <summary>
/// A live user agent on loopback (UDP and TCP) that answers calls and requests, and a driver
/// that throws fuzz at it: datagrams, and TCP connections carrying mutated frames. Shared by the
/// tests and the fuzz runner under bench/.
/// </summary>
internal sealed class SipLiveFuzz : IAsyncDisposable
{
    private readonly SipTransportLayer _transport;

    private SipLiveFuzz(SipTransportLayer transport, SipUserAgent agent)
    {
        _transport = transport;
        Agent = agent;
    }

    public SipUserAgent Agent { get; }

    public SipTransportCounters Counters => _transport.Counters;

    public int Connections => _transport.ConnectionCount;

    /// <summary>The endpoint under fire, with short timers so that what fuzz leaves behind ends quickly.</summary>
    public static SipLiveFuzz Start(Microsoft.Extensions.Logging.ILogger? logger = null)
    {
        var transport = new SipTransportLayer(new SipTransportOptions
        {
            Udp = new IPEndPoint(IPAddress.Loopback, 0),
            Tcp = new IPEndPoint(IPAddress.Loopback, 0),
            ConnectionIdleTimeout = TimeSpan.FromSeconds(2),
        }, logger: logger);
        transport.Start();
        var timers = new SipTimers { T1 = TimeSpan.FromMilliseconds(10), T2 = TimeSpan.FromMilliseconds(40), T4 = TimeSpan.FromMilliseconds(50) };
        var agent = new SipUserAgent(transport, timers: timers)
        {
            IncomingCall = call =>
            {
                if (call.Request.CSeq.Number % 2 == 0)
                {
                    call.Ring();
                    call.Accept("v=0\r\n"u8.ToArray());
                }
                else
                {
                    call.Reject(486);
                }
            },
        };
        return new SipLiveFuzz(transport, agent);
    }

    public IPEndPoint EndPoint(string transport) => _transport.LocalEndPoint(transport)!;

    /// <summary>Sends <paramref name="count"/> fuzz datagrams, pacing itself so the socket buffer is not the only thing tested.</summary>
    public async Task SendDatagramsAsync(int count, Random random)
    {
        using var client = new UdpClient(new IPEndPoint(IPAddress.Loopback, 0));
        var target = EndPoint(SipTransports.Udp);
        for (var i = 0; i < count; i++)
        {
            var bytes = random.Next(4) == 0 ? SipFuzz.Random(random) : SipFuzz.Mutate(random);
            if (bytes.Length <= 65_507)
            {
                await client.SendAsync(bytes, target);
            }
            if (i % 64 == 63)
            {
                await Task.Delay(1);
            }
        }
    }

    /// <summary>Opens <paramref name="connections"/> TCP connections, each carrying up to <paramref name="frames"/> fuzz frames.</summary>
    public async Task SendStreamsAsync(int connections, int frames, Random random)
    {
        for (var c = 0; c < connections; c++)
        {
            using var client = new TcpClient();
            await client.ConnectAsync(EndPoint(SipTransports.Tcp));
            var stream = client.GetStream();
            for (var f = 0; f < frames; f++)
            {
                try
                {
                    await stream.WriteAsync(random.Next(4) == 0 ? SipFuzz.Random(random) : SipFuzz.Mutate(random));
                }
                catch (IOException)
                {
                    break;
                }
            }
        }
    }

    /// <summary>True when a well-formed OPTIONS still gets its 200 over the transport.</summary>
    public async Task<bool> AnswersOptionsAsync(string transport)
    {
        await using var probe = new SipTransportLayer(new SipTransportOptions { Udp = new IPEndPoint(IPAddress.Loopback, 0), Tcp = new IPEndPoint(IPAddress.Loopback, 0) });
        probe.Start();
        var agent = new SipUserAgent(probe);
        var options = agent.CreateRequest(SipMethods.Options, SipUri.Parse("sip:fuzz@127.0.0.1"),
            SipNameAddress.Parse("<sip:probe@127.0.0.1>"), SipNameAddress.Parse("<sip:fuzz@127.0.0.1>"));
        var response = await agent.SendAsync(options, new SipTarget(transport, EndPoint(transport)));
        return response.StatusCode == 200;
    }

    public ValueTask DisposeAsync() => _transport.DisposeAsync();
}
