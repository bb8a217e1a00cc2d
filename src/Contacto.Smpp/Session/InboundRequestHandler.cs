using Contacto.Smpp.Protocol;

namespace Contacto.Smpp.Session;

/// <summary>
/// Handles a request from the peer and returns the response to send (its sequence number is
/// set for you), or null when the request takes no response. A handler that throws answers
/// the request with ESME_RX_T_APPN, so the peer retries it later.
/// enquire_link, unbind and unknown commands never reach a handler.
/// </summary>
public delegate ValueTask<Pdu?> InboundRequestHandler(SmppConnection connection, Pdu request, CancellationToken cancellationToken);
