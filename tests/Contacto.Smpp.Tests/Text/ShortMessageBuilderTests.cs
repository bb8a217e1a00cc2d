using Contacto.Smpp.Protocol;
using Contacto.Smpp.Text;

namespace Contacto.Smpp.Tests.Text;

public sealed class ShortMessageBuilderTests
{
    private static readonly OutboundText Long = new(
        SmeAddress.Alphanumeric("Contacto"), SmeAddress.International("15550001111"), new string('a', 200));

    [Fact]
    public void ShortTextIsOnePduWithoutHeader()
    {
        var submits = ShortMessageBuilder.BuildSubmits(Long with { Text = "hi @ home" }, TextProfile.Default, new ConcatenationReferences(0));

        var submit = Assert.Single(submits);
        Assert.False(submit.HasUserDataHeader);
        Assert.Equal(Gsm7Alphabet.EncodeUnpacked("hi @ home"), submit.ShortMessage);
        Assert.Equal(SubmitSm.ReceiptOnFinalOutcome, submit.RegisteredDelivery);
        Assert.Empty(submit.Tlvs);
    }

    [Fact]
    public void EightBitHeaderCarriesOneReferenceAndTheSequence()
    {
        var submits = ShortMessageBuilder.BuildSubmits(Long, TextProfile.Default, new ConcatenationReferences(41));

        Assert.Equal(2, submits.Count);
        Assert.All(submits, s => Assert.True(s.HasUserDataHeader));
        Assert.All(submits, s => Assert.Equal(SubmitSm.ReceiptOnFinalOutcome, s.RegisteredDelivery));
        Assert.Equal(new byte[] { 0x05, 0x00, 0x03, 42, 2, 1 }, submits[0].ShortMessage[..6]);
        Assert.Equal(new byte[] { 0x05, 0x00, 0x03, 42, 2, 2 }, submits[1].ShortMessage[..6]);
        Assert.Equal(6 + 153, submits[0].ShortMessage.Length);
        Assert.Empty(submits[0].Tlvs);
    }

    [Fact]
    public void EightBitReferenceWrapsAt255()
    {
        var references = new ConcatenationReferences(254);

        Assert.Equal(255, references.Next(ConcatenationMode.Udh8BitReference));
        Assert.Equal(0, references.Next(ConcatenationMode.Udh8BitReference));
    }

    [Fact]
    public void SixteenBitHeaderUsesElementEight()
    {
        var profile = new TextProfile { Concatenation = ConcatenationMode.Udh16BitReference };

        var submits = ShortMessageBuilder.BuildSubmits(Long, profile, new ConcatenationReferences(0x1233));

        Assert.Equal(new byte[] { 0x06, 0x08, 0x04, 0x12, 0x34, 2, 1 }, submits[0].ShortMessage[..7]);
        Assert.True(UserDataHeader.TryReadConcatenation(submits[1].ShortMessage, out var info));
        Assert.Equal(new ConcatenationInfo(0x1234, 2, 2), info);
    }

    [Fact]
    public void SarTlvsGoWithoutAHeader()
    {
        var profile = new TextProfile { Concatenation = ConcatenationMode.SarTlvs };

        var submits = ShortMessageBuilder.BuildSubmits(Long, profile, new ConcatenationReferences(6));

        Assert.Equal(2, submits.Count);
        Assert.All(submits, s => Assert.False(s.HasUserDataHeader));
        Assert.All(submits, s => Assert.Equal((ushort)7, s.Tlvs.GetUInt16(TlvTag.SarMessageReferenceNumber)));
        Assert.Equal((byte)2, submits[1].Tlvs.GetByte(TlvTag.SarSegmentSequenceNumber));
        Assert.Equal((byte)2, submits[1].Tlvs.GetByte(TlvTag.SarTotalSegments));
        Assert.Equal(new string('a', 153), SmsTextDecoder.Decode(submits[0], profile).Text);
    }

    [Fact]
    public void MessagePayloadCarriesTheWholeTextInOnePdu()
    {
        var profile = new TextProfile { Concatenation = ConcatenationMode.MessagePayload };

        var submit = Assert.Single(ShortMessageBuilder.BuildSubmits(Long, profile, new ConcatenationReferences()));

        Assert.Empty(submit.ShortMessage);
        Assert.Equal(Long.Text, SmsTextDecoder.Decode(submit, profile).Text);
    }

    [Fact]
    public void NextMessageGetsANewReference()
    {
        var references = new ConcatenationReferences(0);

        var first = ShortMessageBuilder.BuildSubmits(Long, TextProfile.Default, references);
        var second = ShortMessageBuilder.BuildSubmits(Long, TextProfile.Default, references);

        Assert.NotEqual(first[0].ShortMessage[3], second[0].ShortMessage[3]);
    }

    [Theory]
    [InlineData(ConcatenationMode.Udh8BitReference)]
    [InlineData(ConcatenationMode.Udh16BitReference)]
    public void PackedPartsDecodeBackWithFillBits(ConcatenationMode mode)
    {
        var profile = new TextProfile { PackGsm7 = true, Concatenation = mode };
        var text = "Hello {world} " + new string('z', 300) + " €!";

        var submits = ShortMessageBuilder.BuildSubmits(Long with { Text = text }, profile, new ConcatenationReferences());

        Assert.All(submits, s => Assert.True(s.ShortMessage.Length <= 140));
        Assert.Equal(text, string.Concat(submits.Select(s => SmsTextDecoder.Decode(s, profile).Text)));
    }

    [Fact]
    public void Ucs2PartsDecodeBackIncludingEmoji()
    {
        var text = "Привет 😀 " + string.Concat(Enumerable.Repeat("👍🏽", 40));

        var submits = ShortMessageBuilder.BuildSubmits(Long with { Text = text }, TextProfile.Default, new ConcatenationReferences());

        Assert.All(submits, s => Assert.Equal(DataCodings.Ucs2, s.DataCoding));
        Assert.All(submits, s => Assert.True(s.ShortMessage.Length <= 140));
        Assert.Equal(text, string.Concat(submits.Select(s => SmsTextDecoder.Decode(s, TextProfile.Default).Text)));
    }
}
