namespace Contacto.Smpp.Protocol;

/// <summary>
/// A well-framed PDU whose command this library does not handle. Its body is skipped, not
/// kept; a session answers it with generic_nack (ESME_RINVCMDID).
/// </summary>
public sealed class UnknownPdu(CommandId commandId) : Pdu(commandId)
{
    internal override int BodyLength => 0;

    internal override void WriteBody(ref PduWriter writer) =>
        throw new InvalidOperationException("An unknown PDU cannot be sent.");

    internal override void ReadBody(ref PduReader reader)
    {
    }
}
