using Contacto.Smpp.Protocol;

namespace Contacto.Smpp.Client;

/// <summary>A deliver_sm or data_sm from the SMSC: a mobile-originated message or a delivery receipt.</summary>
public sealed class InboundMessage(string bindName, Pdu pdu)
{
    /// <summary>The bind it came on: receipts are matched by (carrier bind, message id).</summary>
    public string BindName { get; } = bindName;

    /// <summary>The <see cref="DeliverSm"/> or <see cref="DataSm"/> as received.</summary>
    public Pdu Pdu { get; } = pdu;
}

/// <summary>
/// Receives inbound messages. Returning acknowledges the message (deliver_sm_resp OK), so
/// store it first; throwing answers ESME_RX_T_APPN and the SMSC delivers it again later.
/// </summary>
public delegate ValueTask InboundMessageHandler(InboundMessage message, CancellationToken cancellationToken);
