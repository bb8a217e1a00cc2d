namespace Contacto.Smpp.Protocol;

/// <summary>query_sm_resp (section 4.8.2).</summary>
public sealed class QuerySmResponsePdu() : Pdu(CommandId.QuerySmResp)
{
    public string MessageId { get; set; } = string.Empty;

    public string FinalDate { get; set; } = string.Empty;

    public MessageState MessageState { get; set; }

    public byte ErrorCode { get; set; }

    internal override int BodyLength =>
        PduWriter.CStringLength(MessageId, 65, nameof(MessageId))
        + PduWriter.CStringLength(FinalDate, 17, nameof(FinalDate))
        + 2;

    internal override void WriteBody(ref PduWriter writer)
    {
        writer.WriteCString(MessageId);
        writer.WriteCString(FinalDate);
        writer.WriteByte((byte)MessageState);
        writer.WriteByte(ErrorCode);
    }

    internal override void ReadBody(ref PduReader reader)
    {
        MessageId = reader.ReadCString(65, "message_id");
        FinalDate = reader.ReadCString(17, "final_date");
        MessageState = (MessageState)reader.ReadByte();
        ErrorCode = reader.ReadByte();
        reader.ExpectEnd();
    }
}
