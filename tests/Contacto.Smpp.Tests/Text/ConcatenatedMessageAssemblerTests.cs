using Contacto.Smpp.Text;
using Microsoft.Extensions.Time.Testing;

namespace Contacto.Smpp.Tests.Text;

public sealed class ConcatenatedMessageAssemblerTests
{
    private readonly FakeTimeProvider _time = new();

    [Fact]
    public void JoinsPartsInAnyOrderAndOnlyWhenAllAreIn()
    {
        var assembler = new ConcatenatedMessageAssembler(_time, TimeSpan.FromMinutes(5));

        Assert.Null(assembler.Add("a", new(7, 3, 3), "three"));
        Assert.Null(assembler.Add("a", new(7, 3, 1), "one "));
        Assert.Null(assembler.Add("a", new(7, 3, 1), "one "));
        Assert.Equal("one two three", assembler.Add("a", new(7, 3, 2), "two "));
        Assert.Equal(0, assembler.PendingCount);
    }

    [Fact]
    public void KeepsSendersAndReferencesApart()
    {
        var assembler = new ConcatenatedMessageAssembler(_time, TimeSpan.FromMinutes(5));

        assembler.Add("a", new(1, 2, 1), "a1");
        assembler.Add("b", new(1, 2, 1), "b1");
        assembler.Add("a", new(2, 2, 1), "x1");

        Assert.Equal("b1b2", assembler.Add("b", new(1, 2, 2), "b2"));
        Assert.Equal(2, assembler.PendingCount);
    }

    [Fact]
    public void DropsGroupsLeftIncompleteTooLong()
    {
        var assembler = new ConcatenatedMessageAssembler(_time, TimeSpan.FromMinutes(5));
        assembler.Add("a", new(1, 2, 1), "first");

        _time.Advance(TimeSpan.FromMinutes(6));

        Assert.Null(assembler.Add("a", new(1, 2, 2), "second"));
        Assert.Equal(1, assembler.PendingCount);
    }

    [Fact]
    public void DropsTheOldestGroupBeyondCapacity()
    {
        var assembler = new ConcatenatedMessageAssembler(_time, TimeSpan.FromMinutes(5), capacity: 2);
        assembler.Add("a", new(1, 2, 1), "a1");
        _time.Advance(TimeSpan.FromSeconds(1));
        assembler.Add("b", new(1, 2, 1), "b1");
        _time.Advance(TimeSpan.FromSeconds(1));
        assembler.Add("c", new(1, 2, 1), "c1");

        Assert.Equal("b1b2", assembler.Add("b", new(1, 2, 2), "b2"));
        Assert.Null(assembler.Add("a", new(1, 2, 2), "a2"));
    }

    [Theory]
    [InlineData(0, 1)]
    [InlineData(2, 3)]
    [InlineData(2, 0)]
    public void ImpossiblePartsPassThroughAsTheyAre(int total, int sequence)
    {
        var assembler = new ConcatenatedMessageAssembler(_time, TimeSpan.FromMinutes(5));

        Assert.Equal("alone", assembler.Add("a", new(1, total, sequence), "alone"));
        Assert.Equal(0, assembler.PendingCount);
    }
}
