namespace Contacto.Smpp.Client;

/// <summary>
/// Receives inbound messages. Returning acknowledges the message (deliver_sm_resp OK), so
/// store it first; throwing answers ESME_RX_T_APPN and the SMSC delivers it again later.
/// </summary>
public delegate ValueTask InboundMessageHandler(InboundMessage message, CancellationToken cancellationToken);
