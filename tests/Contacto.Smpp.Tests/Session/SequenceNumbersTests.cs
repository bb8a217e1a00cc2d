using Contacto.Smpp.Session;

namespace Contacto.Smpp.Tests.Session;

public sealed class SequenceNumbersTests
{
    [Fact]
    public void StartsAtOne()
    {
        Assert.Equal(1u, new SequenceNumbers().Next());
    }

    [Fact]
    public void WrapsFromTheMaximumToOneNeverZero()
    {
        var sequences = new SequenceNumbers(SequenceNumbers.Max - 1);

        Assert.Equal(SequenceNumbers.Max, sequences.Next());
        Assert.Equal(1u, sequences.Next());
    }

    [Fact]
    public void ConcurrentCallersNeverShareANumber()
    {
        var sequences = new SequenceNumbers();
        var seen = new System.Collections.Concurrent.ConcurrentDictionary<uint, bool>();

        Parallel.For(0, 20_000, _ => Assert.True(seen.TryAdd(sequences.Next(), true)));

        Assert.Equal(20_000, seen.Count);
    }
}
