using System.Buffers;
using Contacto.Smpp.Protocol;

namespace Contacto.Smpp.Tests.Protocol;

public sealed class PduCodecTests
{
    [Fact]
    public void EnquireLinkEncodesToTheSixteenOctetHeader()
    {
        var bytes = PduCodec.Encode(new HeaderOnlyPdu(CommandId.EnquireLink) { SequenceNumber = 7 });

        Assert.Equal(Convert.FromHexString("00000010000000150000000000000007"), bytes);
    }

    [Fact]
    public void BindTransceiverMatchesTheSpecificationLayout()
    {
        var bind = new BindPdu(BindMode.Transceiver) { SystemId = "ab", Password = "pw", SequenceNumber = 1 };

        var bytes = PduCodec.Encode(bind);

        // header, "ab\0", "pw\0", "" system_type, 0x34, ton, npi, "" range
        Assert.Equal(Convert.FromHexString("0000001B000000090000000000000001" + "616200" + "707700" + "00" + "340000" + "00"), bytes);
    }

    [Fact]
    public void SubmitSmRoundTripsEveryField()
    {
        var submit = new SubmitSm
        {
            SequenceNumber = 0x7FFFFFFF,
            ServiceType = "CMT",
            Source = SmeAddress.Alphanumeric("Contacto"),
            Destination = SmeAddress.International("+15551230000"),
            EsmClass = ShortMessagePdu.EsmClassUdhi,
            ProtocolId = 1,
            PriorityFlag = 2,
            ScheduleDeliveryTime = "000000001000000R",
            ValidityPeriod = "260101120000000+",
            RegisteredDelivery = SubmitSm.ReceiptOnFinalOutcome,
            DataCoding = 8,
            ShortMessage = [0x00, 0x40, 0x00, 0x00, 0xFF],
        };
        submit.Tlvs.SetUInt16(TlvTag.SarMessageReferenceNumber, 0xBEEF);
        submit.Tlvs.SetByte(TlvTag.SarTotalSegments, 3);

        var decoded = Assert.IsType<SubmitSm>(PduCodec.Decode(PduCodec.Encode(submit)));

        Assert.Equal(0x7FFFFFFFu, decoded.SequenceNumber);
        Assert.Equal("CMT", decoded.ServiceType);
        Assert.Equal(submit.Source, decoded.Source);
        Assert.Equal("15551230000", decoded.Destination.Address);
        Assert.Equal(SmeAddress.TonInternational, decoded.Destination.Ton);
        Assert.Equal(submit.EsmClass, decoded.EsmClass);
        Assert.Equal((byte)1, decoded.ProtocolId);
        Assert.Equal((byte)2, decoded.PriorityFlag);
        Assert.Equal(submit.ScheduleDeliveryTime, decoded.ScheduleDeliveryTime);
        Assert.Equal(submit.ValidityPeriod, decoded.ValidityPeriod);
        Assert.Equal((byte)1, decoded.RegisteredDelivery);
        Assert.Equal((byte)8, decoded.DataCoding);
        Assert.Equal(submit.ShortMessage, decoded.ShortMessage);
        Assert.Equal((ushort)0xBEEF, decoded.Tlvs.GetUInt16(TlvTag.SarMessageReferenceNumber));
        Assert.Equal((byte)3, decoded.Tlvs.GetByte(TlvTag.SarTotalSegments));
    }

    public static TheoryData<Pdu> EveryKindOfPdu() =>
    [
        new BindPdu(BindMode.Transmitter) { SystemId = "sys", Password = "secret", SystemType = "VMA", AddressRange = "^1" },
        new BindPdu(BindMode.Receiver) { SystemId = "r" },
        new BindResponsePdu(CommandId.BindTransceiverResp) { SystemId = "smsc" },
        new OutbindPdu { SystemId = "smsc", Password = "pw" },
        new HeaderOnlyPdu(CommandId.Unbind),
        new HeaderOnlyPdu(CommandId.UnbindResp),
        new HeaderOnlyPdu(CommandId.EnquireLinkResp),
        HeaderOnlyPdu.GenericNack(CommandStatus.InvalidCommandId, 9),
        new DeliverSm { EsmClass = DeliverSm.EsmClassDeliveryReceipt, ShortMessage = "id:1 stat:DELIVRD"u8.ToArray() },
        new MessageIdResponsePdu(CommandId.SubmitSmResp) { MessageId = new string('9', 64) },
        new MessageIdResponsePdu(CommandId.DeliverSmResp),
        new MessageIdResponsePdu(CommandId.DataSmResp) { MessageId = "x" },
        new DataSm { Source = SmeAddress.International("4930123"), DataCoding = 8 },
        new QuerySm { MessageId = "abc", Source = SmeAddress.International("1") },
        new QuerySmResponsePdu { MessageId = "abc", FinalDate = "2601011200000000", MessageState = MessageState.Delivered },
        new AlertNotificationPdu { Source = SmeAddress.International("1"), Esme = SmeAddress.Alphanumeric("app") },
    ];

    [Theory]
    [MemberData(nameof(EveryKindOfPdu))]
    public void EveryPduRoundTripsToTheSameBytes(Pdu pdu)
    {
        pdu.SequenceNumber = 42;
        var first = PduCodec.Encode(pdu);

        var decoded = PduCodec.Decode(first);

        Assert.Equal(pdu.GetType(), decoded.GetType());
        Assert.Equal(pdu.CommandId, decoded.CommandId);
        Assert.Equal(first, PduCodec.Encode(decoded));
    }

    [Fact]
    public void TlvsSurviveTheRoundTripOnDataSm()
    {
        var data = new DataSm();
        data.Tlvs.Set(TlvTag.MessagePayload, new byte[1000]);
        data.Tlvs.SetUInt16(TlvTag.SourcePort, 2948);
        data.Tlvs.SetUInt16(TlvTag.DestinationPort, 9200);
        data.Tlvs.SetUInt16(TlvTag.UserMessageReference, 77);

        var decoded = Assert.IsType<DataSm>(PduCodec.Decode(PduCodec.Encode(data)));

        Assert.True(decoded.Tlvs.TryGet(TlvTag.MessagePayload, out var payload));
        Assert.Equal(1000, payload.Length);
        Assert.Equal((ushort)2948, decoded.Tlvs.GetUInt16(TlvTag.SourcePort));
        Assert.Equal((ushort)9200, decoded.Tlvs.GetUInt16(TlvTag.DestinationPort));
        Assert.Equal((ushort)77, decoded.Tlvs.GetUInt16(TlvTag.UserMessageReference));
    }

    [Fact]
    public void ErrorResponseWithoutBodyDecodes()
    {
        var frame = Convert.FromHexString("00000010800000040000005800000003");

        var response = Assert.IsType<MessageIdResponsePdu>(PduCodec.Decode(frame));

        Assert.Equal(CommandStatus.Throttled, response.Status);
        Assert.Equal(string.Empty, response.MessageId);
    }

    [Fact]
    public void UnknownCommandDecodesAsUnknownWithItsSequence()
    {
        var frame = Convert.FromHexString("00000014" + "00000999" + "00000000" + "0000000A" + "DEADBEEF");

        var pdu = Assert.IsType<UnknownPdu>(PduCodec.Decode(frame));

        Assert.Equal(10u, pdu.SequenceNumber);
        Assert.Equal((CommandId)0x999, pdu.CommandId);
    }

    [Theory]
    [InlineData("0000000F", "shorter than a header")]
    [InlineData("7FFFFFFF", "longer than the limit")]
    [InlineData("FFFFFFFF", "negative as a signed int")]
    public void ImpossibleCommandLengthLosesFraming(string lengthHex, string why)
    {
        var buffer = new ReadOnlySequence<byte>(Convert.FromHexString(lengthHex + "00000015"));

        var error = Assert.Throws<PduFormatException>(() =>
            PduCodec.TryReadFrameLength(buffer, PduCodec.DefaultMaxPduLength, out _));

        Assert.True(error.FramingLost, why);
    }

    [Fact]
    public void FrameLengthWaitsForFourOctets()
    {
        Assert.False(PduCodec.TryReadFrameLength(new ReadOnlySequence<byte>([0, 0, 0]), 100, out _));
        Assert.True(PduCodec.TryReadFrameLength(new ReadOnlySequence<byte>([0, 0, 0, 16]), 100, out var length));
        Assert.Equal(16, length);
    }

    [Fact]
    public void SmLengthBeyondTheFrameIsRejectedWithTheSequence()
    {
        var submit = PduCodec.Encode(new SubmitSm { SequenceNumber = 5, ShortMessage = [1, 2, 3] });
        var truncated = submit[..^2];
        truncated[3] = (byte)truncated.Length;

        var error = Assert.Throws<PduFormatException>(() => PduCodec.Decode(truncated));

        Assert.False(error.FramingLost);
        Assert.Equal(5u, error.SequenceNumber);
        Assert.Equal(CommandId.SubmitSm, error.CommandId);
    }

    [Fact]
    public void UnterminatedSystemIdIsRejected()
    {
        var frame = Convert.FromHexString("00000020000000020000000000000001" + "41414141414141414141414141414141");

        var error = Assert.Throws<PduFormatException>(() => PduCodec.Decode(frame));

        Assert.Equal(CommandStatus.InvalidParameterLength, error.Status);
    }

    [Fact]
    public void TruncatedTlvIsRejected()
    {
        var frame = PduCodec.Encode(new MessageIdResponsePdu(CommandId.DataSmResp) { MessageId = "a" }).Concat(new byte[] { 0x04, 0x24, 0x00 }).ToArray();
        frame[3] = (byte)frame.Length;

        var error = Assert.Throws<PduFormatException>(() => PduCodec.Decode(frame));

        Assert.Equal(CommandStatus.InvalidOptionalParameterStream, error.Status);
    }

    [Fact]
    public void TlvLongerThanTheFrameIsRejected()
    {
        var frame = PduCodec.Encode(new MessageIdResponsePdu(CommandId.DataSmResp) { MessageId = "a" }).Concat(new byte[] { 0x04, 0x24, 0xFF, 0xFF, 1 }).ToArray();
        frame[3] = (byte)frame.Length;

        Assert.Throws<PduFormatException>(() => PduCodec.Decode(frame));
    }

    [Fact]
    public void HeaderOnlyCommandWithABodyIsRejected()
    {
        var frame = Convert.FromHexString("000000110000001500000000000000010A");

        Assert.Throws<PduFormatException>(() => PduCodec.Decode(frame));
    }

    [Fact]
    public void EncodingRefusesFieldsThatDoNotFit()
    {
        Assert.Throws<ArgumentException>(() => PduCodec.Encode(new BindPdu(BindMode.Transmitter) { Password = "nine-char" }));
        Assert.Throws<ArgumentException>(() => PduCodec.Encode(new SubmitSm { ShortMessage = new byte[255] }));
        Assert.Throws<ArgumentException>(() => PduCodec.Encode(new SubmitSm { ServiceType = "a\0b" }));
    }

    [Fact]
    public void EncodingIntoABufferWriterAppendsFrames()
    {
        var output = new ArrayBufferWriter<byte>();

        PduCodec.Encode(new HeaderOnlyPdu(CommandId.EnquireLink) { SequenceNumber = 1 }, output);
        PduCodec.Encode(new HeaderOnlyPdu(CommandId.Unbind) { SequenceNumber = 2 }, output);

        Assert.Equal(32, output.WrittenCount);
        Assert.Equal(CommandId.Unbind, PduCodec.Decode(output.WrittenSpan[16..]).CommandId);
    }

    [Fact]
    public void ReceiptIsToldFromMobileOriginatedByEsmClass()
    {
        Assert.True(new DeliverSm { EsmClass = 0x04 }.IsDeliveryReceipt);
        Assert.False(new DeliverSm { EsmClass = 0x00, ShortMessage = "id:123 stat:DELIVRD"u8.ToArray() }.IsDeliveryReceipt);
        Assert.False(new DeliverSm { EsmClass = ShortMessagePdu.EsmClassUdhi }.IsDeliveryReceipt);
    }
}
