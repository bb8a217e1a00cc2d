namespace Contacto.Smpp.Protocol;

/// <summary>submit_sm_resp, deliver_sm_resp and data_sm_resp: a message_id and optional TLVs.</summary>
public sealed class MessageIdResponsePdu : Pdu
{
    public MessageIdResponsePdu(CommandId commandId) : base(commandId)
    {
        if (commandId is not (CommandId.SubmitSmResp or CommandId.DeliverSmResp or CommandId.DataSmResp))
        {
            throw new ArgumentException($"{commandId} is not a message id response.", nameof(commandId));
        }
    }

    /// <summary>The SMSC's id for the message, up to 64 characters.</summary>
    public string MessageId { get; set; } = string.Empty;

    public TlvCollection Tlvs { get; } = new();

    internal override int BodyLength => PduWriter.CStringLength(MessageId, 65, nameof(MessageId)) + Tlvs.EncodedLength;

    internal override void WriteBody(ref PduWriter writer)
    {
        writer.WriteCString(MessageId);
        writer.WriteTlvs(Tlvs);
    }

    internal override void ReadBody(ref PduReader reader)
    {
        MessageId = reader.ReadCString(65, "message_id");
        reader.ReadTlvs(Tlvs);
    }
}
