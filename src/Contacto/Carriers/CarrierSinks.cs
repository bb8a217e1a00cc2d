namespace Contacto.Carriers;

internal enum ReceiptState
{
    /// <summary>Not final yet (en route, accepted, unknown): changes nothing.</summary>
    Pending,
    Delivered,
    Undelivered,
}

/// <summary>A carrier's report on something it took, found by the reference it gave (<see cref="CarrierOutcome.References"/>).</summary>
internal sealed record CarrierReceipt(string Carrier, string Reference, ReceiptState State, CarrierError Error = CarrierError.Unknown);

/// <summary>One part of a long mobile-originated text, as the handset numbered it.</summary>
internal readonly record struct InboundSegment(int Reference, int Sequence, int Total);

/// <summary>
/// A mobile-originated text. <paramref name="From"/> is a number as the carrier wrote it, or an
/// alphanumeric id; <paramref name="Text"/> is null when the message was binary or could not be decoded.
/// </summary>
internal sealed record InboundSms(string Carrier, string From, bool AlphanumericSender, string To, string? Text, InboundSegment? Segment);

/// <summary>
/// Where carriers hand delivery receipts. The receipt is acknowledged to the carrier when the
/// returned task completes, so an implementation stores it first.
/// </summary>
internal interface ICarrierReceiptSink
{
    Task AcceptAsync(CarrierReceipt receipt, CancellationToken cancellationToken);
}

/// <summary>
/// Where carriers hand mobile-originated texts. The message is acknowledged to the carrier when
/// the returned task completes, so an implementation stores it first; throwing lets the carrier
/// deliver it again later.
/// </summary>
internal interface ICarrierMessageSink
{
    Task AcceptAsync(InboundSms message, CancellationToken cancellationToken);
}
