using Contacto.Sip.Messages;
using Contacto.Sip.Transport;

namespace Contacto.Sip.Transactions;

/// <summary>What the transaction layer needs of a transport: the transport layer, or a recorder in tests.</summary>
internal interface ISipSender
{
    SipVia CreateVia(string transport, string branch);

    Task SendAsync(SipMessage message, SipTarget target, CancellationToken cancellationToken);

    Task SendResponseAsync(SipResponse response, SipFlow? requestFlow, CancellationToken cancellationToken);
}

internal sealed class TransportSender(SipTransportLayer transport) : ISipSender
{
    public SipVia CreateVia(string transportName, string branch) => transport.CreateVia(transportName, branch);

    public Task SendAsync(SipMessage message, SipTarget target, CancellationToken cancellationToken) =>
        transport.SendAsync(message, target, cancellationToken);

    public Task SendResponseAsync(SipResponse response, SipFlow? requestFlow, CancellationToken cancellationToken) =>
        transport.SendResponseAsync(response, requestFlow, cancellationToken);
}
