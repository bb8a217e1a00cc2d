using Contacto.Smpp.Client;

namespace Contacto.Carriers;

/// <summary>
/// Where carriers hand mobile-originated messages (deliver_sm or data_sm that are not receipts).
/// The message is acknowledged to the carrier when the returned task completes, so an
/// implementation stores it first; throwing lets the carrier deliver it again later.
/// </summary>
public interface ICarrierMessageSink
{
    /// <param name="carrier">The carrier's configured name.</param>
    Task AcceptAsync(string carrier, InboundMessage message, CancellationToken cancellationToken);
}
