namespace Contacto.Smpp.Protocol;

/// <summary>bind_*_resp: the SMSC's system_id and, optionally, sc_interface_version.</summary>
public sealed class BindResponsePdu(CommandId commandId) : Pdu(commandId)
{
    public string SystemId { get; set; } = string.Empty;

    public TlvCollection Tlvs { get; } = new();

    internal override int BodyLength => PduWriter.CStringLength(SystemId, 16, nameof(SystemId)) + Tlvs.EncodedLength;

    internal override void WriteBody(ref PduWriter writer)
    {
        writer.WriteCString(SystemId);
        writer.WriteTlvs(Tlvs);
    }

    internal override void ReadBody(ref PduReader reader)
    {
        SystemId = reader.ReadCString(16, "system_id");
        reader.ReadTlvs(Tlvs);
    }
}
