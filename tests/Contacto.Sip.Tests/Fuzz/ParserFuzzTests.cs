using Contacto.Sip.Fuzzing;
using Contacto.Sip.Messages;
using Contacto.Sip.Tests.Support;

namespace Contacto.Sip.Tests.Fuzz;

/// <summary>
/// Random and mutated messages through the parser, a bounded number per run (the runner under
/// bench/ does a million): it never throws, what it accepts can be used and written again, and
/// it allocates in proportion to what it was given, never past its limits.
/// </summary>
public sealed class ParserFuzzTests
{
    private const int Iterations = 6_000;

    [Fact]
    public void MutatedMessagesParseOrAreRefusedAndWhatParsesIsUsable()
    {
        var random = new Random(20261203);
        var parsed = 0;

        for (var i = 0; i < Iterations; i++)
        {
            parsed += Check(SipFuzz.Mutate(random)) ? 1 : 0;
        }

        Assert.InRange(parsed, Iterations / 20, Iterations - Iterations / 20);
    }

    [Fact]
    public void RandomInputIsRefusedCleanly()
    {
        var random = new Random(7);

        for (var i = 0; i < Iterations; i++)
        {
            Check(SipFuzz.Random(random));
        }
    }

    [Fact]
    public void TortureMessagesMutatedStillNeverBreakTheParser()
    {
        var random = new Random(4475);
        var files = Directory.GetFiles(Path.Combine(AppContext.BaseDirectory, "Messages", "Torture"), "*.dat", SearchOption.AllDirectories)
            .Select(f => System.Text.Encoding.UTF8.GetString(File.ReadAllBytes(f))).ToArray();

        for (var i = 0; i < Iterations / 3; i++)
        {
            Check(SipFuzz.Mutate(files[random.Next(files.Length)], random));
        }
    }

    [Fact]
    public void AllocationStaysProportionalToTheInputAndBoundedByTheLimit()
    {
        var random = new Random(99);
        var worst = 0.0;
        for (var i = 0; i < 3_000; i++)
        {
            var bytes = SipFuzz.Mutate(random);
            var before = GC.GetAllocatedBytesForCurrentThread();
            SipMessageParser.Parse(bytes);
            var allocated = GC.GetAllocatedBytesForCurrentThread() - before;
            worst = Math.Max(worst, (allocated - 16_384) / (double)bytes.Length);
        }
        var huge = new byte[10 * 1024 * 1024];
        var hugeBefore = GC.GetAllocatedBytesForCurrentThread();
        var refused = SipMessageParser.Parse(huge);
        var hugeAllocated = GC.GetAllocatedBytesForCurrentThread() - hugeBefore;

        Assert.InRange(worst, double.MinValue, 40);
        Assert.Equal(513, refused.Status);
        Assert.InRange(hugeAllocated, 0, 4_096);
    }

    /// <summary>Parses; if accepted, reads every header the library relies on and writes the message again.</summary>
    private static bool Check(byte[] bytes)
    {
        var result = SipMessageParser.Parse(bytes);
        if (result.Message is not { } message)
        {
            Assert.True(result.IsKeepAlive || result.Status is 400 or 505 or 513, result.Error);
            if (result.Response is { } response)
            {
                Assert.True(response.StatusCode is 400 or 505);
                response.ToBytes();
            }
            return false;
        }
        _ = message.Vias;
        _ = message.Contacts;
        _ = message.Routes;
        _ = message.RecordRoutes;
        _ = message.MaxForwards;
        foreach (var name in new[] { HeaderNames.From, HeaderNames.To })
        {
            if (message.Headers.Contains(name))
            {
                _ = SipNameAddress.Parse(message.Headers.Get(name)!);
            }
        }
        if (message.Headers.Contains(HeaderNames.CSeq))
        {
            _ = message.CSeq;
        }
        if (message is SipRequest request)
        {
            SipRequestChecks.Check(request);
        }
        var again = SipMessageParser.Parse(message.ToBytes());
        Assert.True(again.IsMessage, again.Error);
        Assert.Equal(message.StartLine, again.Message!.StartLine);
        return true;
    }
}
