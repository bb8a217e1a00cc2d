namespace Contacto.Smpp.Protocol;

/// <summary>submit_sm: the ESME hands one short message (or one segment) to the SMSC.</summary>
public sealed class SubmitSm() : ShortMessagePdu(CommandId.SubmitSm)
{
    /// <summary>registered_delivery: a receipt on the final outcome, success or failure.</summary>
    public const byte ReceiptOnFinalOutcome = 0x01;

    /// <summary>registered_delivery: a receipt only when delivery fails.</summary>
    public const byte ReceiptOnFailure = 0x02;

    public MessageIdResponsePdu CreateResponse(string messageId) =>
        new(CommandId.SubmitSmResp) { SequenceNumber = SequenceNumber, MessageId = messageId };
}
