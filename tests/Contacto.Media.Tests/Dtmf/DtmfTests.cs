using Contacto.Media.Dtmf;

namespace Contacto.Media.Tests.Dtmf;

public sealed class DtmfTests
{
    private static byte[] Event(int code, bool end, int duration) => [(byte)code, (byte)((end ? 0x80 : 0) | 10), (byte)(duration >> 8), (byte)duration];

    [Fact]
    public void AnEventIsReportedOnceWhateverPacketsOfItArrive()
    {
        var receiver = new TelephoneEventReceiver();
        var reports = new List<char?>
        {
            receiver.Receive(1, 1000, Event(5, false, 160)),
            receiver.Receive(1, 1000, Event(5, false, 320)),
            receiver.Receive(1, 1000, Event(5, true, 800)),
            receiver.Receive(1, 1000, Event(5, true, 800)),
            receiver.Receive(1, 1000, Event(5, true, 800)),
            // Only the end packets of the next press arrived.
            receiver.Receive(1, 3000, Event(5, true, 800)),
            receiver.Receive(1, 3000, Event(5, true, 800)),
            // Another source with the same timestamp is another press.
            receiver.Receive(2, 3000, Event(11, false, 0)),
        };

        Assert.Equal(['5', null, null, null, null, '5', null, '#'], reports);
    }

    [Fact]
    public void ASegmentOfALongEventIsTheSamePress()
    {
        var receiver = new TelephoneEventReceiver();

        Assert.Equal('9', receiver.Receive(1, 10_000, Event(9, false, 65535)));
        Assert.Null(receiver.Receive(1, 10_000 + 65535, Event(9, false, 800)));
        Assert.Null(receiver.Receive(1, 10_000 + 65535, Event(9, true, 1600)));
        Assert.Equal('9', receiver.Receive(1, 100_000, Event(9, false, 160)));
        Assert.Null(receiver.Receive(1, 200_000, Event(16, false, 160)));       // flash: not a key
        Assert.Null(receiver.Receive(1, 300_000, [1, 2]));
    }

    [Fact]
    public void TheSenderSendsAStartUpdatesAndThreeEndsPerDigit()
    {
        var sender = new TelephoneEventSender();
        sender.Enqueue('7');
        var payload = new byte[4];
        var packets = new List<(bool Marker, uint Timestamp, bool End, int Duration)>();
        var completed = 0;
        for (uint ts = 0; ts < 160 * 20; ts += 160)
        {
            if (sender.Next(ts, 160, payload, out var marker, out var eventTimestamp, out var done))
            {
                Assert.Equal(7, payload[0]);
                packets.Add((marker, eventTimestamp, (payload[1] & 0x80) != 0, (payload[2] << 8) | payload[3]));
            }
            completed += done ? 1 : 0;
        }

        Assert.Equal(1, completed);
        Assert.True(packets[0].Marker);
        Assert.All(packets, p => Assert.Equal(0u, p.Timestamp));
        Assert.Equal([160, 320, 480, 640, 800, 800, 800], packets.Select(p => p.Duration));
        Assert.Equal(3, packets.Count(p => p.End));
        Assert.False(sender.IsBusy);
    }

    [Theory]
    [InlineData('1')]
    [InlineData('5')]
    [InlineData('9')]
    [InlineData('0')]
    [InlineData('*')]
    [InlineData('#')]
    [InlineData('D')]
    public void GoertzelFindsEachKeyOnceAndNothingInSpeechLikeAudio(char key)
    {
        var (row, column) = GoertzelDetector.Frequencies(key);
        var tone = Enumerable.Range(0, 800).Select(i => (short)(6000 * (Math.Sin(2 * Math.PI * row * i / 8000) + Math.Sin(2 * Math.PI * column * i / 8000)))).ToArray();
        var detector = new GoertzelDetector();
        var found = new List<char>();
        foreach (var frame in tone.Concat(new short[800]).Concat(tone).Chunk(80))
        {
            if (detector.Feed(frame) is { } digit)
            {
                found.Add(digit);
            }
        }

        Assert.Equal([key, key], found);
        var random = new Random(3);
        var noise = Enumerable.Range(0, 8000).Select(i => (short)(3000 * Math.Sin(2 * Math.PI * 440 * i / 8000) + random.Next(-2000, 2000))).ToArray();
        var quiet = new GoertzelDetector();
        Assert.All(noise.Chunk(80), frame => Assert.Null(quiet.Feed(frame)));
    }

    [Fact]
    public void TheEightFiltersRunTogetherGiveEachFrequencysGoertzelPower()
    {
        var random = new Random(5);
        var block = Enumerable.Range(0, 205).Select(_ => (short)random.Next(short.MinValue, short.MaxValue)).ToArray();
        Span<double> rows = stackalloc double[4];
        Span<double> columns = stackalloc double[4];

        GoertzelDetector.Powers(block, rows, columns);

        double[] frequencies = [697, 770, 852, 941, 1209, 1336, 1477, 1633];
        var expected = frequencies.Select(f =>
        {
            var coefficient = 2 * Math.Cos(2 * Math.PI * f / 8000);
            double s1 = 0, s2 = 0;
            foreach (var sample in block)
            {
                (s1, s2) = (sample + coefficient * s1 - s2, s1);
            }
            return s1 * s1 + s2 * s2 - coefficient * s1 * s2;
        }).ToArray();
        var actual = rows.ToArray().Concat(columns.ToArray()).ToArray();
        for (var i = 0; i < 8; i++)
        {
            Assert.Equal(expected[i], actual[i], expected[i] * 1e-9);
        }
    }

    [Theory]
    [InlineData("application/dtmf-relay", "Signal=*\r\nDuration=250\r\n", '*')]
    [InlineData("application/dtmf-relay; charset=utf-8", "signal = 9\n", '9')]
    [InlineData("application/dtmf", "10", '*')]
    [InlineData("application/dtmf", "d", 'D')]
    public void SipInfoBodiesGiveTheirDigit(string contentType, string body, char expected)
    {
        Assert.True(SipInfoDtmf.TryParse(contentType, System.Text.Encoding.ASCII.GetBytes(body), out var digit));
        Assert.Equal(expected, digit);
    }

    [Theory]
    [InlineData("application/dtmf-relay", "Duration=250")]
    [InlineData("application/dtmf", "16")]
    [InlineData("application/dtmf", "")]
    [InlineData("application/sdp", "5")]
    public void SipInfoBodiesWithoutADigitAreRefused(string contentType, string body) =>
        Assert.False(SipInfoDtmf.TryParse(contentType, System.Text.Encoding.ASCII.GetBytes(body), out _));
}
