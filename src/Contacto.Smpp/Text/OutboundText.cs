using Contacto.Smpp.Protocol;

namespace Contacto.Smpp.Text;

/// <summary>A text to send. registered_delivery is asked on every part, for per-part receipts.</summary>
public sealed record OutboundText(SmeAddress Source, SmeAddress Destination, string Text)
{
    public byte RegisteredDelivery { get; init; } = SubmitSm.ReceiptOnFinalOutcome;

    public string ServiceType { get; init; } = string.Empty;

    /// <summary>Empty, or the 16-character YYMMDDhhmmsstnnp form.</summary>
    public string ValidityPeriod { get; init; } = string.Empty;
}
