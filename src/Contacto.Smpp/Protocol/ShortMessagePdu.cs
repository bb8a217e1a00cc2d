namespace Contacto.Smpp.Protocol;

/// <summary>
/// The body shared by submit_sm and deliver_sm (sections 4.4.1 and 4.6.1). short_message is
/// raw octets: with GSM 7-bit, '@' is 0x00, so it is never a C string.
/// </summary>
public abstract class ShortMessagePdu(CommandId commandId) : Pdu(commandId)
{
    public const int MaxShortMessageLength = 254;

    /// <summary>esm_class bit 6: the short message starts with a user data header.</summary>
    public const byte EsmClassUdhi = 0x40;

    public string ServiceType { get; set; } = string.Empty;

    public SmeAddress Source { get; set; } = SmeAddress.Empty;

    public SmeAddress Destination { get; set; } = SmeAddress.Empty;

    public byte EsmClass { get; set; }

    public byte ProtocolId { get; set; }

    public byte PriorityFlag { get; set; }

    /// <summary>Empty, or the 16-character YYMMDDhhmmsstnnp form.</summary>
    public string ScheduleDeliveryTime { get; set; } = string.Empty;

    /// <summary>Empty, or the 16-character YYMMDDhhmmsstnnp form.</summary>
    public string ValidityPeriod { get; set; } = string.Empty;

    public byte RegisteredDelivery { get; set; }

    public byte ReplaceIfPresentFlag { get; set; }

    public byte DataCoding { get; set; }

    public byte SmDefaultMessageId { get; set; }

    public byte[] ShortMessage { get; set; } = [];

    public TlvCollection Tlvs { get; } = new();

    public bool HasUserDataHeader => (EsmClass & EsmClassUdhi) != 0;

    internal override int BodyLength
    {
        get
        {
            if (ShortMessage.Length > MaxShortMessageLength)
            {
                throw new ArgumentException(
                    $"short_message holds at most {MaxShortMessageLength} octets; use message_payload.", nameof(ShortMessage));
            }
            return PduWriter.CStringLength(ServiceType, 6, nameof(ServiceType))
                + Source.EncodedLength(21, nameof(Source))
                + Destination.EncodedLength(21, nameof(Destination))
                + 3
                + PduWriter.CStringLength(ScheduleDeliveryTime, 17, nameof(ScheduleDeliveryTime))
                + PduWriter.CStringLength(ValidityPeriod, 17, nameof(ValidityPeriod))
                + 5
                + ShortMessage.Length
                + Tlvs.EncodedLength;
        }
    }

    internal override void WriteBody(ref PduWriter writer)
    {
        writer.WriteCString(ServiceType);
        Source.Write(ref writer);
        Destination.Write(ref writer);
        writer.WriteByte(EsmClass);
        writer.WriteByte(ProtocolId);
        writer.WriteByte(PriorityFlag);
        writer.WriteCString(ScheduleDeliveryTime);
        writer.WriteCString(ValidityPeriod);
        writer.WriteByte(RegisteredDelivery);
        writer.WriteByte(ReplaceIfPresentFlag);
        writer.WriteByte(DataCoding);
        writer.WriteByte(SmDefaultMessageId);
        writer.WriteByte((byte)ShortMessage.Length);
        writer.WriteBytes(ShortMessage);
        writer.WriteTlvs(Tlvs);
    }

    internal override void ReadBody(ref PduReader reader)
    {
        ServiceType = reader.ReadCString(6, "service_type");
        Source = SmeAddress.Read(ref reader, 21, "source_addr");
        Destination = SmeAddress.Read(ref reader, 21, "destination_addr");
        EsmClass = reader.ReadByte();
        ProtocolId = reader.ReadByte();
        PriorityFlag = reader.ReadByte();
        ScheduleDeliveryTime = reader.ReadCString(17, "schedule_delivery_time");
        ValidityPeriod = reader.ReadCString(17, "validity_period");
        RegisteredDelivery = reader.ReadByte();
        ReplaceIfPresentFlag = reader.ReadByte();
        DataCoding = reader.ReadByte();
        SmDefaultMessageId = reader.ReadByte();
        var length = reader.ReadByte();
        if (length > MaxShortMessageLength)
        {
            throw new PduFormatException($"sm_length {length} exceeds {MaxShortMessageLength}.", CommandStatus.InvalidMessageLength);
        }
        ShortMessage = reader.ReadBytes(length, "short_message");
        reader.ReadTlvs(Tlvs);
    }
}
