namespace Contacto.Smpp.Receipts;

/// <summary>How a carrier writes a message id in one place (submit_sm_resp or the receipt).</summary>
public enum MessageIdFormat
{
    /// <summary>An opaque string, compared without regard to case.</summary>
    Opaque,

    /// <summary>A decimal number; leading zeros do not matter.</summary>
    Decimal,

    /// <summary>A hexadecimal number; case and leading zeros do not matter.</summary>
    Hexadecimal,
}
