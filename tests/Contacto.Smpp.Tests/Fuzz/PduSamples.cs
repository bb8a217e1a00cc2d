using System.Buffers.Binary;
using Contacto.Smpp.Protocol;

namespace Contacto.Smpp.Tests.Fuzz;

/// <summary>Valid frames of every kind, and seeded ways to damage them.</summary>
internal static class PduSamples
{
    public static readonly byte[][] Valid = BuildValid();

    /// <summary>A damaged copy: flipped octets, truncated, extended, or with a lying length.</summary>
    public static byte[] Mutate(byte[] frame, Random random)
    {
        var copy = (byte[])frame.Clone();
        switch (random.Next(5))
        {
            case 0:
                for (var i = random.Next(1, 5); i > 0; i--)
                {
                    copy[random.Next(4, copy.Length)] = (byte)random.Next(256);
                }
                break;
            case 1:
                copy = copy[..random.Next(PduCodec.HeaderLength, copy.Length + 1)];
                break;
            case 2:
                copy = [.. copy, .. RandomBytes(random, random.Next(1, 40))];
                break;
            case 3:
                // A length octet (sm_length, a TLV length) at its maximum.
                copy[random.Next(PduCodec.HeaderLength - 1, copy.Length)] = 0xFF;
                break;
            default:
                BinaryPrimitives.WriteUInt32BigEndian(copy, (uint)random.Next());
                return copy;
        }
        if (random.Next(4) != 0)
        {
            BinaryPrimitives.WriteUInt32BigEndian(copy, (uint)copy.Length);
        }
        return copy;
    }

    public static byte[] RandomBytes(Random random, int count)
    {
        var bytes = new byte[count];
        random.NextBytes(bytes);
        return bytes;
    }

    private static byte[][] BuildValid()
    {
        var submit = new SubmitSm { Source = SmeAddress.International("15550001111"), ShortMessage = [0, 1, 2, 3, 0x1B, 0x65] };
        submit.Tlvs.SetUInt16(TlvTag.SarMessageReferenceNumber, 7);
        var receipt = new DeliverSm { EsmClass = 4, ShortMessage = "id:1 stat:DELIVRD"u8.ToArray() };
        receipt.Tlvs.SetCString(TlvTag.ReceiptedMessageId, "1");
        var data = new DataSm();
        data.Tlvs.Set(TlvTag.MessagePayload, new byte[64]);
        Pdu[] pdus =
        [
            new BindPdu(BindMode.Transceiver) { SystemId = "acme", Password = "pw" },
            new BindResponsePdu(CommandId.BindTransceiverResp) { SystemId = "smsc" },
            submit, receipt, data,
            new MessageIdResponsePdu(CommandId.SubmitSmResp) { MessageId = "abc" },
            new QuerySm { MessageId = "1" },
            new QuerySmResponsePdu { MessageId = "1" },
            new AlertNotificationPdu(),
            new OutbindPdu { SystemId = "s" },
            new HeaderOnlyPdu(CommandId.EnquireLink),
        ];
        return [.. pdus.Select((p, i) =>
        {
            p.SequenceNumber = (uint)i + 1;
            return PduCodec.Encode(p);
        })];
    }
}
