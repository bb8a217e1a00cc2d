using System.Buffers;
using System.Buffers.Binary;
using Contacto.Smpp.Client;
using Contacto.Smpp.Protocol;
using Contacto.Smpp.Text;

namespace Contacto.Smpp.Tests.Fuzz;

/// <summary>Random and damaged frames never get anything but a PduFormatException out of the codec.</summary>
public sealed class DecoderFuzzTests
{
    private const int Iterations = 20_000;

    [Fact]
    public void RandomFramesDecodeOrFailCleanlyWithBoundedAllocation()
    {
        var random = new Random(20251129);
        var before = GC.GetAllocatedBytesForCurrentThread();
        var decoded = 0;

        for (var i = 0; i < Iterations; i++)
        {
            var frame = PduSamples.RandomBytes(random, random.Next(PduCodec.HeaderLength, 300));
            BinaryPrimitives.WriteUInt32BigEndian(frame, (uint)frame.Length);
            // Favour known commands so bodies get parsed, not just rejected as unknown.
            if (random.Next(2) == 0)
            {
                BinaryPrimitives.WriteUInt32BigEndian(frame.AsSpan(4), (uint)KnownCommands[random.Next(KnownCommands.Length)]);
            }
            decoded += TryDecode(frame) ? 1 : 0;
        }

        var perFrame = (GC.GetAllocatedBytesForCurrentThread() - before) / Iterations;
        Assert.InRange(perFrame, 0, 4096);
        Assert.InRange(decoded, 1, Iterations - 1);
    }

    [Fact]
    public void MutatedValidFramesDecodeOrFailCleanly()
    {
        var random = new Random(7);
        var failures = 0;

        for (var i = 0; i < Iterations; i++)
        {
            var frame = PduSamples.Mutate(PduSamples.Valid[random.Next(PduSamples.Valid.Length)], random);
            failures += TryFrame(frame) ? 0 : 1;
        }

        Assert.InRange(failures, 1, Iterations - 1);
    }

    [Fact]
    public void AnyDeliverSmContentIsReadWithoutThrowing()
    {
        var random = new Random(11);
        var receipts = 0;

        for (var i = 0; i < Iterations; i++)
        {
            var deliver = new DeliverSm
            {
                EsmClass = (byte)random.Next(256),
                DataCoding = (byte)random.Next(256),
                ShortMessage = random.Next(3) == 0
                    ? System.Text.Encoding.ASCII.GetBytes($"id:{random.Next()} stat:{(random.Next(2) == 0 ? "DELIVRD" : "x")} err:{random.Next(1000)}")
                    : PduSamples.RandomBytes(random, random.Next(0, 255)),
            };
            if (random.Next(4) == 0)
            {
                deliver.Tlvs.Set(TlvTag.MessagePayload, PduSamples.RandomBytes(random, random.Next(0, 300)));
                deliver.Tlvs.Set(TlvTag.ReceiptedMessageId, PduSamples.RandomBytes(random, random.Next(0, 70)));
                deliver.Tlvs.Set(TlvTag.MessageState, PduSamples.RandomBytes(random, random.Next(0, 3)));
            }

            var message = new InboundMessage("fuzz", deliver, new TextProfile { PackGsm7 = random.Next(2) == 0 });

            receipts += message.IsReceipt ? 1 : 0;
        }

        Assert.InRange(receipts, 1, Iterations - 1);
    }

    [Fact]
    public void LyingLengthIsRefusedBeforeAnyBufferIsSized()
    {
        var before = GC.GetAllocatedBytesForCurrentThread();

        Assert.Throws<PduFormatException>(() =>
            PduCodec.TryReadFrameLength(new ReadOnlySequence<byte>([0x7F, 0xFF, 0xFF, 0xFF, 0, 0, 0, 4]), PduCodec.DefaultMaxPduLength, out _));

        Assert.InRange(GC.GetAllocatedBytesForCurrentThread() - before, 0, 64 * 1024);
    }

    private static readonly CommandId[] KnownCommands = Enum.GetValues<CommandId>();

    // Through the framing step first, as a session does.
    private static bool TryFrame(byte[] bytes)
    {
        try
        {
            if (!PduCodec.TryReadFrameLength(new ReadOnlySequence<byte>(bytes), PduCodec.DefaultMaxPduLength, out var length)
                || length > bytes.Length)
            {
                return false;
            }
            return TryDecode(bytes[..length]);
        }
        catch (PduFormatException)
        {
            return false;
        }
    }

    private static bool TryDecode(byte[] frame)
    {
        try
        {
            var pdu = PduCodec.Decode(frame);
            if (pdu is not UnknownPdu)
            {
                // Whatever decodes must encode again.
                PduCodec.Encode(pdu);
            }
            if (pdu is DeliverSm or DataSm)
            {
                // Receipt parsing and text decoding must take any content without throwing.
                _ = new InboundMessage("fuzz", pdu, TextProfile.Default);
                _ = new InboundMessage("fuzz", pdu, new TextProfile { PackGsm7 = true });
            }
            return true;
        }
        catch (PduFormatException)
        {
            return false;
        }
    }
}
