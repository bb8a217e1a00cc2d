namespace Contacto.Smpp.Protocol;

/// <summary>alert_notification (section 4.12.1): a handset became reachable again.</summary>
public sealed class AlertNotificationPdu() : Pdu(CommandId.AlertNotification)
{
    public SmeAddress Source { get; set; } = SmeAddress.Empty;

    public SmeAddress Esme { get; set; } = SmeAddress.Empty;

    public TlvCollection Tlvs { get; } = new();

    internal override int BodyLength =>
        Source.EncodedLength(65, nameof(Source)) + Esme.EncodedLength(65, nameof(Esme)) + Tlvs.EncodedLength;

    internal override void WriteBody(ref PduWriter writer)
    {
        Source.Write(ref writer);
        Esme.Write(ref writer);
        writer.WriteTlvs(Tlvs);
    }

    internal override void ReadBody(ref PduReader reader)
    {
        Source = SmeAddress.Read(ref reader, 65, "source_addr");
        Esme = SmeAddress.Read(ref reader, 65, "esme_addr");
        reader.ReadTlvs(Tlvs);
    }
}
