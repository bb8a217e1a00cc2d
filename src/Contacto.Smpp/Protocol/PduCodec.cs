using System.Buffers;
using System.Buffers.Binary;

namespace Contacto.Smpp.Protocol;

/// <summary>
/// Turns PDUs into frames and frames into PDUs. A frame is command_length octets, the
/// length itself included; lengths outside [16, max] lose the framing and end the session.
/// </summary>
public static class PduCodec
{
    public const int HeaderLength = 16;

    /// <summary>Enough for a message_payload of 64 KiB plus the rest of a data_sm.</summary>
    public const int DefaultMaxPduLength = 70_000;

    public static int EncodedLength(Pdu pdu) => HeaderLength + pdu.BodyLength;

    /// <summary>Encodes into a buffer writer (a pipe, an array buffer) in one contiguous span.</summary>
    public static int Encode(Pdu pdu, IBufferWriter<byte> output)
    {
        var length = EncodedLength(pdu);
        var span = output.GetSpan(length);
        WriteFrame(pdu, span[..length], length);
        output.Advance(length);
        return length;
    }

    public static byte[] Encode(Pdu pdu)
    {
        var length = EncodedLength(pdu);
        var frame = new byte[length];
        WriteFrame(pdu, frame, length);
        return frame;
    }

    /// <summary>
    /// Reads command_length from the first four octets of <paramref name="buffer"/>, if present.
    /// Throws when the length cannot be a frame: the stream is then unusable.
    /// </summary>
    public static bool TryReadFrameLength(in ReadOnlySequence<byte> buffer, int maxPduLength, out int frameLength)
    {
        frameLength = 0;
        if (buffer.Length < 4)
        {
            return false;
        }
        Span<byte> prefix = stackalloc byte[4];
        buffer.Slice(0, 4).CopyTo(prefix);
        var length = BinaryPrimitives.ReadUInt32BigEndian(prefix);
        if (length < HeaderLength || length > (uint)maxPduLength)
        {
            throw new PduFormatException(
                $"command_length {length} is outside [{HeaderLength}, {maxPduLength}].",
                CommandStatus.InvalidCommandLength,
                framingLost: true);
        }
        frameLength = (int)length;
        return true;
    }

    /// <summary>Decodes one whole frame. Unknown commands give an <see cref="UnknownPdu"/>.</summary>
    public static Pdu Decode(ReadOnlySpan<byte> frame)
    {
        if (frame.Length < HeaderLength || BinaryPrimitives.ReadUInt32BigEndian(frame) != frame.Length)
        {
            throw new PduFormatException("command_length does not match the frame.", CommandStatus.InvalidCommandLength, framingLost: true);
        }
        var commandId = (CommandId)BinaryPrimitives.ReadUInt32BigEndian(frame[4..]);
        var status = (CommandStatus)BinaryPrimitives.ReadUInt32BigEndian(frame[8..]);
        var sequence = BinaryPrimitives.ReadUInt32BigEndian(frame[12..]);
        var pdu = Create(commandId);
        pdu.Status = status;
        pdu.SequenceNumber = sequence;
        var body = frame[HeaderLength..];

        // Error responses often come without their body (section 4.4.2 allows it).
        if (body.IsEmpty && commandId.IsResponse() && status != CommandStatus.Ok)
        {
            return pdu;
        }
        try
        {
            var reader = new PduReader(body);
            pdu.ReadBody(ref reader);
        }
        catch (PduFormatException e)
        {
            throw new PduFormatException($"{commandId}: {e.Message}", e.Status)
            {
                SequenceNumber = sequence,
                CommandId = commandId,
            };
        }
        return pdu;
    }

    private static Pdu Create(CommandId id) => id switch
    {
        CommandId.BindTransmitter or CommandId.BindReceiver or CommandId.BindTransceiver =>
            new BindPdu(BindModeExtensions.FromRequestId(id)!.Value),
        CommandId.BindTransmitterResp or CommandId.BindReceiverResp or CommandId.BindTransceiverResp =>
            new BindResponsePdu(id),
        CommandId.Outbind => new OutbindPdu(),
        CommandId.SubmitSm => new SubmitSm(),
        CommandId.DeliverSm => new DeliverSm(),
        CommandId.DataSm => new DataSm(),
        CommandId.SubmitSmResp or CommandId.DeliverSmResp or CommandId.DataSmResp => new MessageIdResponsePdu(id),
        CommandId.QuerySm => new QuerySm(),
        CommandId.QuerySmResp => new QuerySmResponsePdu(),
        CommandId.AlertNotification => new AlertNotificationPdu(),
        _ when HeaderOnlyPdu.HasNoBody(id) => new HeaderOnlyPdu(id),
        _ => new UnknownPdu(id),
    };

    private static void WriteFrame(Pdu pdu, Span<byte> frame, int length)
    {
        var writer = new PduWriter(frame);
        writer.WriteUInt32((uint)length);
        writer.WriteUInt32((uint)pdu.CommandId);
        writer.WriteUInt32((uint)pdu.Status);
        writer.WriteUInt32(pdu.SequenceNumber);
        pdu.WriteBody(ref writer);
        if (writer.Position != length)
        {
            throw new InvalidOperationException($"{pdu.CommandId} wrote {writer.Position} octets, measured {length}.");
        }
    }
}
