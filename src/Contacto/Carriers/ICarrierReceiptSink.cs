using Contacto.Smpp.Receipts;

namespace Contacto.Carriers;

/// <summary>
/// Where carriers hand delivery receipts. The receipt is acknowledged to the carrier when the
/// returned task completes, so an implementation stores it first.
/// </summary>
public interface ICarrierReceiptSink
{
    /// <param name="carrier">The carrier's configured name.</param>
    /// <param name="messageKey">The carrier's id in canonical form, as <c>SmppCarrier.KeyOf</c> gave it for the submit.</param>
    Task AcceptAsync(string carrier, string messageKey, DeliveryReceipt receipt, CancellationToken cancellationToken);
}
