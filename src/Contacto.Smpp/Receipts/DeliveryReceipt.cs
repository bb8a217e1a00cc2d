using Contacto.Smpp.Protocol;

namespace Contacto.Smpp.Receipts;

/// <summary>
/// A delivery receipt, from the TLVs where present and the text otherwise. Fields a carrier
/// left out are null. Dates carry no zone on the wire and are read as UTC.
/// </summary>
public sealed record DeliveryReceipt(string MessageId, MessageState State)
{
    public int? Submitted { get; init; }

    public int? Delivered { get; init; }

    public DateTime? SubmitDate { get; init; }

    public DateTime? DoneDate { get; init; }

    /// <summary>The err field as sent: 1-3 digits, decimal or hex depending on the carrier.</summary>
    public string? Error { get; init; }

    /// <summary>network_error_code TLV: network type then the 16-bit error.</summary>
    public (byte NetworkType, ushort Code)? NetworkError { get; init; }

    /// <summary>The start of the original message some carriers echo back.</summary>
    public string? Text { get; init; }

    /// <summary>The stat word as sent (DELIVRD, UNDELIV...), when there was one.</summary>
    public string? StatText { get; init; }
}
