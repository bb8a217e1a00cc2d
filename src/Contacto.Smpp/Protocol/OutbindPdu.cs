namespace Contacto.Smpp.Protocol;

/// <summary>outbind: an SMSC asks the ESME to bind as a receiver (section 4.1.7).</summary>
public sealed class OutbindPdu() : Pdu(CommandId.Outbind)
{
    public string SystemId { get; set; } = string.Empty;

    public string Password { get; set; } = string.Empty;

    internal override int BodyLength =>
        PduWriter.CStringLength(SystemId, 16, nameof(SystemId)) + PduWriter.CStringLength(Password, 9, nameof(Password));

    internal override void WriteBody(ref PduWriter writer)
    {
        writer.WriteCString(SystemId);
        writer.WriteCString(Password);
    }

    internal override void ReadBody(ref PduReader reader)
    {
        SystemId = reader.ReadCString(16, "system_id");
        Password = reader.ReadCString(9, "password");
        reader.ExpectEnd();
    }
}
