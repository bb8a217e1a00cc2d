namespace Contacto.Smpp.Protocol;

/// <summary>
/// Bytes that are not a valid PDU. <see cref="Status"/> is the status to answer with in a
/// generic_nack; <see cref="FramingLost"/> means the stream can no longer be trusted.
/// </summary>
public sealed class PduFormatException(string message, CommandStatus status, bool framingLost = false)
    : Exception(message)
{
    public CommandStatus Status { get; } = status;

    public bool FramingLost { get; } = framingLost;

    /// <summary>The header's sequence number when the header itself was readable, else 0.</summary>
    public uint SequenceNumber { get; init; }

    public CommandId? CommandId { get; init; }
}
