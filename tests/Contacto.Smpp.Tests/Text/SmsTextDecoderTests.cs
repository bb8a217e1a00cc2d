using Contacto.Smpp.Protocol;
using Contacto.Smpp.Text;

namespace Contacto.Smpp.Tests.Text;

public sealed class SmsTextDecoderTests
{
    [Theory]
    [InlineData(0x00, "@abc")]
    [InlineData(0xF0, "@abc")]
    [InlineData(0x01, "\0abc")]
    [InlineData(0x03, "\0abc")]
    public void DataCodingChoosesTheAlphabet(byte dataCoding, string expected)
    {
        var deliver = new DeliverSm { DataCoding = dataCoding, ShortMessage = [0x00, (byte)'a', (byte)'b', (byte)'c'] };

        Assert.Equal(expected, SmsTextDecoder.Decode(deliver, TextProfile.Default).Text);
    }

    [Theory]
    [InlineData(0x02)]
    [InlineData(0x04)]
    [InlineData(0x05)]
    [InlineData(0xF4)]
    [InlineData(0x7F)]
    public void BinaryAndUnknownCodingsGiveNoTextAndNoException(byte dataCoding)
    {
        var deliver = new DeliverSm { DataCoding = dataCoding, ShortMessage = [0xFF, 0x00, 0x13] };

        Assert.Null(SmsTextDecoder.Decode(deliver, TextProfile.Default).Text);
    }

    [Fact]
    public void CarrierWhoseDefaultIsLatin1IsReadAsLatin1()
    {
        var deliver = new DeliverSm { ShortMessage = System.Text.Encoding.Latin1.GetBytes("café") };

        Assert.Equal("café", SmsTextDecoder.Decode(deliver, new TextProfile { SmscDefaultAlphabet = SmsAlphabet.Latin1 }).Text);
    }

    [Fact]
    public void HeaderIsSkippedAndItsConcatenationReported()
    {
        var deliver = new DeliverSm
        {
            EsmClass = ShortMessagePdu.EsmClassUdhi,
            ShortMessage = [0x05, 0x00, 0x03, 0x09, 0x03, 0x02, (byte)'h', (byte)'i'],
        };

        var decoded = SmsTextDecoder.Decode(deliver, TextProfile.Default);

        Assert.Equal("hi", decoded.Text);
        Assert.Equal(new ConcatenationInfo(9, 3, 2), decoded.Concatenation);
    }

    [Fact]
    public void HeaderLongerThanTheMessageGivesNoText()
    {
        var deliver = new DeliverSm { EsmClass = ShortMessagePdu.EsmClassUdhi, ShortMessage = [0x20, 0x00] };

        Assert.Null(SmsTextDecoder.Decode(deliver, TextProfile.Default).Text);
    }

    [Fact]
    public void OddUcs2LengthDoesNotThrow()
    {
        var deliver = new DeliverSm { DataCoding = DataCodings.Ucs2, ShortMessage = [0x00, 0x41, 0x00] };

        Assert.StartsWith("A", SmsTextDecoder.Decode(deliver, TextProfile.Default).Text);
    }

    [Fact]
    public void DataSmTextComesFromMessagePayload()
    {
        var data = new DataSm { DataCoding = DataCodings.Ucs2 };
        data.Tlvs.Set(TlvTag.MessagePayload, System.Text.Encoding.BigEndianUnicode.GetBytes("ok ✓"));

        Assert.Equal("ok ✓", SmsTextDecoder.Decode(data, TextProfile.Default).Text);
    }
}
