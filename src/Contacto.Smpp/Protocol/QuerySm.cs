namespace Contacto.Smpp.Protocol;

/// <summary>query_sm (section 4.8.1): asks the state of a previously submitted message.</summary>
public sealed class QuerySm() : Pdu(CommandId.QuerySm)
{
    public string MessageId { get; set; } = string.Empty;

    public SmeAddress Source { get; set; } = SmeAddress.Empty;

    internal override int BodyLength =>
        PduWriter.CStringLength(MessageId, 65, nameof(MessageId)) + Source.EncodedLength(21, nameof(Source));

    internal override void WriteBody(ref PduWriter writer)
    {
        writer.WriteCString(MessageId);
        Source.Write(ref writer);
    }

    internal override void ReadBody(ref PduReader reader)
    {
        MessageId = reader.ReadCString(65, "message_id");
        Source = SmeAddress.Read(ref reader, 21, "source_addr");
        reader.ExpectEnd();
    }
}
