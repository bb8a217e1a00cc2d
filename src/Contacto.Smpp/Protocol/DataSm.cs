namespace Contacto.Smpp.Protocol;

/// <summary>data_sm (section 4.7.1): message content travels in TLVs (message_payload).</summary>
public sealed class DataSm() : Pdu(CommandId.DataSm)
{
    public string ServiceType { get; set; } = string.Empty;

    public SmeAddress Source { get; set; } = SmeAddress.Empty;

    public SmeAddress Destination { get; set; } = SmeAddress.Empty;

    public byte EsmClass { get; set; }

    public byte RegisteredDelivery { get; set; }

    public byte DataCoding { get; set; }

    public TlvCollection Tlvs { get; } = new();

    internal override int BodyLength =>
        PduWriter.CStringLength(ServiceType, 6, nameof(ServiceType))
        + Source.EncodedLength(65, nameof(Source))
        + Destination.EncodedLength(65, nameof(Destination))
        + 3
        + Tlvs.EncodedLength;

    internal override void WriteBody(ref PduWriter writer)
    {
        writer.WriteCString(ServiceType);
        Source.Write(ref writer);
        Destination.Write(ref writer);
        writer.WriteByte(EsmClass);
        writer.WriteByte(RegisteredDelivery);
        writer.WriteByte(DataCoding);
        writer.WriteTlvs(Tlvs);
    }

    internal override void ReadBody(ref PduReader reader)
    {
        ServiceType = reader.ReadCString(6, "service_type");
        Source = SmeAddress.Read(ref reader, 65, "source_addr");
        Destination = SmeAddress.Read(ref reader, 65, "destination_addr");
        EsmClass = reader.ReadByte();
        RegisteredDelivery = reader.ReadByte();
        DataCoding = reader.ReadByte();
        reader.ReadTlvs(Tlvs);
    }
}
