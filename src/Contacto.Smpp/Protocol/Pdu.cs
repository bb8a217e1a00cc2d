namespace Contacto.Smpp.Protocol;

/// <summary>One SMPP protocol data unit: the 16-octet header and a command-specific body.</summary>
public abstract class Pdu(CommandId commandId)
{
    public CommandId CommandId { get; } = commandId;

    public CommandStatus Status { get; set; }

    public uint SequenceNumber { get; set; }

    /// <summary>Octets the body takes on the wire; throws if a field does not fit its size.</summary>
    internal abstract int BodyLength { get; }

    internal abstract void WriteBody(ref PduWriter writer);

    internal abstract void ReadBody(ref PduReader reader);
}
