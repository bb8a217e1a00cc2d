namespace Contacto.Smpp.Protocol;

/// <summary>
/// A PDU with no body: unbind, unbind_resp, enquire_link, enquire_link_resp and generic_nack.
/// </summary>
public sealed class HeaderOnlyPdu : Pdu
{
    public HeaderOnlyPdu(CommandId commandId) : base(commandId)
    {
        if (!HasNoBody(commandId))
        {
            throw new ArgumentException($"{commandId} has a body.", nameof(commandId));
        }
    }

    internal static bool HasNoBody(CommandId id) => id is CommandId.Unbind or CommandId.UnbindResp
        or CommandId.EnquireLink or CommandId.EnquireLinkResp or CommandId.GenericNack;

    public static HeaderOnlyPdu GenericNack(CommandStatus status, uint sequenceNumber) =>
        new(CommandId.GenericNack) { Status = status, SequenceNumber = sequenceNumber };

    internal override int BodyLength => 0;

    internal override void WriteBody(ref PduWriter writer)
    {
    }

    internal override void ReadBody(ref PduReader reader) => reader.ExpectEnd();
}
