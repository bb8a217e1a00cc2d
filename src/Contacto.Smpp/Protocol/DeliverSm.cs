namespace Contacto.Smpp.Protocol;

/// <summary>deliver_sm: the SMSC delivers an inbound (MO) message or a delivery receipt.</summary>
public sealed class DeliverSm() : ShortMessagePdu(CommandId.DeliverSm)
{
    /// <summary>esm_class message type bits (2-5): SMSC delivery receipt.</summary>
    public const byte EsmClassDeliveryReceipt = 0x04;

    /// <summary>esm_class message type bits (2-5): intermediate delivery notification.</summary>
    public const byte EsmClassIntermediateNotification = 0x20;

    private const byte MessageTypeMask = 0x3C;

    /// <summary>
    /// True when esm_class marks a receipt or notification. Receipts are told from MO by
    /// esm_class, never by looking for "id:" in the text.
    /// </summary>
    public bool IsDeliveryReceipt =>
        (EsmClass & MessageTypeMask) is EsmClassDeliveryReceipt or EsmClassIntermediateNotification;
}
