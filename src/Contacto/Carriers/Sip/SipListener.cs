using System.Net;
using Contacto.Sip.Transport;
using Microsoft.Extensions.Hosting;

namespace Contacto.Carriers.Sip;

/// <summary>The node's SIP listeners as bound (ports resolved when 0 was asked for); null where off or before start.</summary>
public sealed class SipListeners
{
    public IPEndPoint? Udp { get; internal set; }
    public IPEndPoint? Tcp { get; internal set; }
    public IPEndPoint? Tls { get; internal set; }
}

/// <summary>
/// Opens the node's SIP listeners at start; as soon as the host begins to stop, new calls are
/// refused 503 while the trunks and calls in progress drain.
/// </summary>
internal sealed class SipListener(SipEndpoint endpoint, SipListeners bound) : IHostedLifecycleService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        endpoint.Start();
        (bound.Udp, bound.Tcp, bound.Tls) =
            (endpoint.LocalEndPoint(SipTransports.Udp), endpoint.LocalEndPoint(SipTransports.Tcp), endpoint.LocalEndPoint(SipTransports.Tls));
        return Task.CompletedTask;
    }

    public Task StoppingAsync(CancellationToken cancellationToken)
    {
        endpoint.Drain();
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StartingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StartedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppedAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
