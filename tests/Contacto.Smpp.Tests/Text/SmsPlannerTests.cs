using Contacto.Smpp.Text;

namespace Contacto.Smpp.Tests.Text;

public sealed class SmsPlannerTests
{
    private static readonly TextProfile Udh8 = TextProfile.Default;
    private static readonly TextProfile Udh16 = new() { Concatenation = ConcatenationMode.Udh16BitReference };

    [Theory]
    [InlineData(1, 1)]
    [InlineData(160, 1)]
    [InlineData(161, 2)]
    [InlineData(306, 2)]
    [InlineData(307, 3)]
    [InlineData(459, 3)]
    public void GsmSegmentsAre160Then153(int length, int segments)
    {
        Assert.Equal(segments, SmsPlanner.CountSegments(new string('a', length), Udh8));
    }

    [Theory]
    [InlineData(70, 1)]
    [InlineData(71, 2)]
    [InlineData(134, 2)]
    [InlineData(135, 3)]
    public void Ucs2SegmentsAre70Then67(int length, int segments)
    {
        var plan = SmsPlanner.Plan(new string('я', length), Udh8);

        Assert.Equal(SmsAlphabet.Ucs2, plan.Alphabet);
        Assert.Equal(DataCodings.Ucs2, plan.DataCoding);
        Assert.Equal(segments, plan.SegmentCount);
    }

    [Fact]
    public void SixteenBitReferenceLeavesOneUnitLess()
    {
        Assert.Equal(2, SmsPlanner.CountSegments(new string('a', 304), Udh16));
        Assert.Equal(3, SmsPlanner.CountSegments(new string('a', 305), Udh16));
        Assert.Equal(2, SmsPlanner.CountSegments(new string('я', 132), Udh16));
        Assert.Equal(3, SmsPlanner.CountSegments(new string('я', 133), Udh16));
    }

    [Fact]
    public void ExtensionCharactersCountTwice()
    {
        Assert.Equal(1, SmsPlanner.CountSegments(new string('€', 80), Udh8));
        Assert.Equal(2, SmsPlanner.CountSegments(new string('€', 81), Udh8));
        Assert.Equal(2, SmsPlanner.CountSegments(new string('a', 159) + "€", Udh8));
    }

    [Fact]
    public void EscapePairIsNeverSplitAcrossParts()
    {
        var plan = SmsPlanner.Plan(new string('a', 152) + "€" + new string('b', 10), Udh8);

        Assert.Equal(new string('a', 152), plan.Parts[0]);
        Assert.StartsWith("€", plan.Parts[1]);
        Assert.All(plan.Parts, p => Assert.True(Gsm7Alphabet.EncodeUnpacked(p).Length <= 153));
    }

    [Fact]
    public void EmojiTakeTwoUnitsAndAreNeverCutInHalf()
    {
        const string emoji = "😀";
        Assert.Equal(1, SmsPlanner.CountSegments(string.Concat(Enumerable.Repeat(emoji, 35)), Udh8));

        var plan = SmsPlanner.Plan("a" + string.Concat(Enumerable.Repeat(emoji, 40)), Udh8);

        Assert.Equal(2, plan.SegmentCount);
        Assert.All(plan.Parts, p => Assert.False(char.IsHighSurrogate(p[^1])));
        Assert.Equal("a" + string.Concat(Enumerable.Repeat(emoji, 33)), plan.Parts[0]);
    }

    [Fact]
    public void OneCharacterOutsideGsmForcesUcs2ForTheWholeText()
    {
        var plan = SmsPlanner.Plan(new string('a', 100) + "ê", Udh8);

        Assert.Equal(SmsAlphabet.Ucs2, plan.Alphabet);
        Assert.Equal(2, plan.SegmentCount);
    }

    [Fact]
    public void Latin1IsChosenOnlyWhenTheCarrierAllowsIt()
    {
        var profile = Udh8 with { AllowLatin1 = true };

        var plan = SmsPlanner.Plan(new string('ê', 140), profile);

        Assert.Equal(SmsAlphabet.Latin1, plan.Alphabet);
        Assert.Equal(DataCodings.Latin1, plan.DataCoding);
        Assert.Equal(1, plan.SegmentCount);
        Assert.Equal(2, SmsPlanner.CountSegments(new string('ê', 141), profile));
        Assert.Equal(SmsAlphabet.Ucs2, SmsPlanner.ChooseAlphabet("ê", Udh8));
    }

    [Fact]
    public void CarrierWhoseDefaultIsLatin1GetsDataCodingZero()
    {
        var profile = new TextProfile { SmscDefaultAlphabet = SmsAlphabet.Latin1 };

        var plan = SmsPlanner.Plan("café", profile);

        Assert.Equal(SmsAlphabet.Latin1, plan.Alphabet);
        Assert.Equal(DataCodings.SmscDefault, plan.DataCoding);
    }

    [Fact]
    public void PartsJoinBackToTheText()
    {
        var text = string.Concat(Enumerable.Range(0, 500).Select(i => (char)('a' + i % 26)));

        Assert.Equal(text, string.Concat(SmsPlanner.Plan(text, Udh8).Parts));
    }
}
