using Contacto.Smpp.Text;

namespace Contacto.Smpp.Tests.Text;

public sealed class Gsm7Tests
{
    private const string EveryBasicCharacter =
        "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?" +
        "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà";

    [Fact]
    public void AtSignIsSeptetZero()
    {
        Assert.Equal(new byte[] { 0x00, 0x41, 0x00 }, Gsm7Alphabet.EncodeUnpacked("@A@"));
    }

    [Fact]
    public void EveryCharacterOfBothTablesRoundTrips()
    {
        const string text = EveryBasicCharacter + "^{}\\[~]|€\f";

        Assert.Equal(text, Gsm7Alphabet.DecodeUnpacked(Gsm7Alphabet.EncodeUnpacked(text)));
    }

    [Fact]
    public void ExtensionCharactersAreEscapedAndCountTwo()
    {
        Assert.Equal(new byte[] { 0x1B, 0x65, 0x1B, 0x28 }, Gsm7Alphabet.EncodeUnpacked("€{"));
        Assert.Equal(2, Gsm7Alphabet.SeptetsFor('€'));
        Assert.Equal(1, Gsm7Alphabet.SeptetsFor('e'));
        Assert.Equal(0, Gsm7Alphabet.SeptetsFor('ê'));
    }

    [Theory]
    [InlineData("hello", true)]
    [InlineData("price: 5€ [ok]", true)]
    [InlineData("ça va", false)]
    [InlineData("日本", false)]
    [InlineData("\u001B", false)]
    public void CanEncodeOnlyTheGsmTables(string text, bool expected)
    {
        Assert.Equal(expected, Gsm7Alphabet.CanEncode(text));
    }

    [Fact]
    public void PackingMatchesTheClassicVector()
    {
        var packed = Gsm7Packing.Pack(Gsm7Alphabet.EncodeUnpacked("hellohello"));

        Assert.Equal(Convert.FromHexString("E8329BFD4697D9EC37"), packed);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(6)]
    public void PackedTextRoundTripsWithFillBits(int fillBits)
    {
        foreach (var length in new[] { 1, 7, 8, 9, 15, 16, 153 })
        {
            var septets = Gsm7Alphabet.EncodeUnpacked(new string('x', length - 1) + "@");

            var unpacked = Gsm7Packing.Unpack(Gsm7Packing.Pack(septets, fillBits), fillBits);

            Assert.Equal(septets, unpacked);
        }
    }

    [Fact]
    public void SevenSpareBitsArePaddedWithCarriageReturnNotAt()
    {
        var packed = Gsm7Packing.Pack(Gsm7Alphabet.EncodeUnpacked("1234567"));

        Assert.Equal(7, packed.Length);
        Assert.Equal(0x0D << 1, packed[6] & 0xFE);
        Assert.Equal("1234567", Gsm7Alphabet.DecodeUnpacked(Gsm7Packing.Unpack(packed)));
    }

    [Fact]
    public void FillBitsAlignAfterTheConcatenationHeaders()
    {
        Assert.Equal(1, Gsm7Packing.FillBitsAfterHeader(6));
        Assert.Equal(0, Gsm7Packing.FillBitsAfterHeader(7));
        Assert.Equal(0, Gsm7Packing.FillBitsAfterHeader(0));
    }
}
