namespace Contacto.Smpp.Protocol;

/// <summary>bind_transmitter, bind_receiver or bind_transceiver (section 4.1).</summary>
public sealed class BindPdu(BindMode mode) : Pdu(mode.RequestId())
{
    public const byte InterfaceVersion34 = 0x34;

    public BindMode Mode { get; } = mode;

    public string SystemId { get; set; } = string.Empty;

    public string Password { get; set; } = string.Empty;

    public string SystemType { get; set; } = string.Empty;

    public byte InterfaceVersion { get; set; } = InterfaceVersion34;

    public byte AddressTon { get; set; }

    public byte AddressNpi { get; set; }

    public string AddressRange { get; set; } = string.Empty;

    internal override int BodyLength =>
        PduWriter.CStringLength(SystemId, 16, nameof(SystemId))
        + PduWriter.CStringLength(Password, 9, nameof(Password))
        + PduWriter.CStringLength(SystemType, 13, nameof(SystemType))
        + 3
        + PduWriter.CStringLength(AddressRange, 41, nameof(AddressRange));

    internal override void WriteBody(ref PduWriter writer)
    {
        writer.WriteCString(SystemId);
        writer.WriteCString(Password);
        writer.WriteCString(SystemType);
        writer.WriteByte(InterfaceVersion);
        writer.WriteByte(AddressTon);
        writer.WriteByte(AddressNpi);
        writer.WriteCString(AddressRange);
    }

    internal override void ReadBody(ref PduReader reader)
    {
        SystemId = reader.ReadCString(16, "system_id");
        Password = reader.ReadCString(9, "password");
        SystemType = reader.ReadCString(13, "system_type");
        InterfaceVersion = reader.ReadByte();
        AddressTon = reader.ReadByte();
        AddressNpi = reader.ReadByte();
        AddressRange = reader.ReadCString(41, "address_range");
        reader.ExpectEnd();
    }
}
