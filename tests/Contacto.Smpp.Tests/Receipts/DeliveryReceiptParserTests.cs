using System.Text;
using Contacto.Smpp.Protocol;
using Contacto.Smpp.Receipts;

namespace Contacto.Smpp.Tests.Receipts;

public sealed class DeliveryReceiptParserTests
{
    [Fact]
    public void ParsesTheAppendixFormat()
    {
        var receipt = Parse("id:0123456789 sub:001 dlvrd:001 submit date:2501011200 done date:2501011205 stat:DELIVRD err:000 text:Hello world");

        Assert.Equal("0123456789", receipt.MessageId);
        Assert.Equal(MessageState.Delivered, receipt.State);
        Assert.Equal(1, receipt.Submitted);
        Assert.Equal(1, receipt.Delivered);
        Assert.Equal(new DateTime(2025, 1, 1, 12, 0, 0, DateTimeKind.Utc), receipt.SubmitDate);
        Assert.Equal(new DateTime(2025, 1, 1, 12, 5, 0, DateTimeKind.Utc), receipt.DoneDate);
        Assert.Equal("000", receipt.Error);
        Assert.Equal("Hello world", receipt.Text);
    }

    [Theory]
    [InlineData("DELIVRD", MessageState.Delivered)]
    [InlineData("EXPIRED", MessageState.Expired)]
    [InlineData("DELETED", MessageState.Deleted)]
    [InlineData("UNDELIV", MessageState.Undeliverable)]
    [InlineData("ACCEPTD", MessageState.Accepted)]
    [InlineData("UNKNOWN", MessageState.Unknown)]
    [InlineData("REJECTD", MessageState.Rejected)]
    [InlineData("ENROUTE", MessageState.Enroute)]
    [InlineData("delivrd", MessageState.Delivered)]
    [InlineData("Delivered", MessageState.Delivered)]
    [InlineData("GARBAGE", MessageState.Unknown)]
    public void MapsEveryStatWord(string stat, MessageState expected)
    {
        Assert.Equal(expected, Parse($"id:1 stat:{stat} err:0").State);
    }

    [Theory]
    [InlineData(MessageState.Enroute, false)]
    [InlineData(MessageState.Delivered, true)]
    [InlineData(MessageState.Undeliverable, true)]
    [InlineData(MessageState.Accepted, true)]
    public void OnlyEnrouteLeavesTheOutcomeOpen(MessageState state, bool final)
    {
        Assert.Equal(final, state.IsFinal());
    }

    [Fact]
    public void ToleratesCaseMissingAndExtraFieldsAndSeconds()
    {
        var receipt = Parse("ID:A1B2C3D4E5F60718 Sub:1 DLVRD:1 Submit_Date:250101120030 Done Date:250101120545 mcc:234 STAT:UNDELIV Err:0x1F imsi:99 Text:");

        Assert.Equal("A1B2C3D4E5F60718", receipt.MessageId);
        Assert.Equal(MessageState.Undeliverable, receipt.State);
        Assert.Equal(new DateTime(2025, 1, 1, 12, 0, 30, DateTimeKind.Utc), receipt.SubmitDate);
        Assert.Equal(new DateTime(2025, 1, 1, 12, 5, 45, DateTimeKind.Utc), receipt.DoneDate);
        Assert.Equal("0x1F", receipt.Error);
        Assert.Equal(string.Empty, receipt.Text);
    }

    [Fact]
    public void OnlyIdAndStatAreEnough()
    {
        var receipt = Parse("id:77 stat:EXPIRED");

        Assert.Equal(MessageState.Expired, receipt.State);
        Assert.Null(receipt.Submitted);
        Assert.Null(receipt.SubmitDate);
        Assert.Null(receipt.Error);
        Assert.Null(receipt.Text);
    }

    [Fact]
    public void KeysInsideTheEchoedTextAreNotFields()
    {
        var receipt = Parse("id:5 stat:DELIVRD text:your id: 9 stat:REJECTD");

        Assert.Equal("5", receipt.MessageId);
        Assert.Equal(MessageState.Delivered, receipt.State);
        Assert.Equal("your id: 9 stat:REJECTD", receipt.Text);
    }

    [Fact]
    public void TlvsWinOverTheText()
    {
        var deliver = Receipt("id:111 stat:DELIVRD");
        deliver.Tlvs.SetCString(TlvTag.ReceiptedMessageId, "6f");
        deliver.Tlvs.SetByte(TlvTag.MessageState, (byte)MessageState.Rejected);
        deliver.Tlvs.Set(TlvTag.NetworkErrorCode, [3, 0x00, 0x0B]);

        Assert.True(DeliveryReceiptParser.TryParse(deliver, out var receipt));

        Assert.Equal("6f", receipt.MessageId);
        Assert.Equal(MessageState.Rejected, receipt.State);
        Assert.Equal(((byte)3, (ushort)11), receipt.NetworkError);
    }

    [Fact]
    public void TlvOnlyReceiptWithEmptyTextIsRead()
    {
        var deliver = Receipt(string.Empty);
        deliver.Tlvs.SetCString(TlvTag.ReceiptedMessageId, "abc");
        deliver.Tlvs.SetByte(TlvTag.MessageState, 2);

        Assert.True(DeliveryReceiptParser.TryParse(deliver, out var receipt));
        Assert.Equal(MessageState.Delivered, receipt.State);
    }

    [Fact]
    public void MobileOriginatedTextThatLooksLikeAReceiptIsNotOne()
    {
        var mo = new DeliverSm { ShortMessage = Encoding.ASCII.GetBytes("id:1 stat:DELIVRD") };

        Assert.False(DeliveryReceiptParser.TryParse(mo, out _));
    }

    [Fact]
    public void ReceiptWithoutAnyIdIsRefused()
    {
        Assert.False(DeliveryReceiptParser.TryParse(Receipt("stat:DELIVRD"), out _));
    }

    [Fact]
    public void UnparsableDatesAndCountsBecomeNull()
    {
        var receipt = Parse("id:1 sub:abc submit date:2513991299 stat:DELIVRD");

        Assert.Null(receipt.Submitted);
        Assert.Null(receipt.SubmitDate);
    }

    [Theory]
    [InlineData("0000ABCDEF", MessageIdFormat.Hexadecimal, "11259375")]
    [InlineData("abcdef", MessageIdFormat.Hexadecimal, "11259375")]
    [InlineData("0011259375", MessageIdFormat.Decimal, "11259375")]
    [InlineData(" AbC-12 ", MessageIdFormat.Opaque, "abc-12")]
    [InlineData("not-hex", MessageIdFormat.Hexadecimal, "not-hex")]
    public void MessageIdsMeetInOneCanonicalForm(string id, MessageIdFormat format, string canonical)
    {
        Assert.Equal(canonical, MessageIds.Canonical(id, format));
    }

    [Fact]
    public void HexInResponseMatchesDecimalInReceipt()
    {
        Assert.Equal(
            MessageIds.Canonical("1F4", MessageIdFormat.Hexadecimal),
            MessageIds.Canonical(Parse("id:0000500 stat:DELIVRD").MessageId, MessageIdFormat.Decimal));
    }

    private static DeliveryReceipt Parse(string text)
    {
        Assert.True(DeliveryReceiptParser.TryParse(Receipt(text), out var receipt));
        return receipt;
    }

    private static DeliverSm Receipt(string text) =>
        new() { EsmClass = DeliverSm.EsmClassDeliveryReceipt, ShortMessage = Encoding.ASCII.GetBytes(text) };
}
