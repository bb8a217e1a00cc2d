using Contacto.Media.Codecs;

namespace Contacto.Media.Tests.Codecs;

public sealed class G711Tests
{
    // Values of the ITU-T G.711 tables (and G.191's reference code): code -> decoded linear.
    [Theory]
    [InlineData(0xFF, 0)]
    [InlineData(0x7F, 0)]
    [InlineData(0x80, 32124)]
    [InlineData(0x00, -32124)]
    [InlineData(0xFE, 8)]
    [InlineData(0xF0, 120)]
    [InlineData(0xEF, 132)]
    [InlineData(0xDF, 396)]
    [InlineData(0x8F, 16764)]
    public void MuLawDecodesToTheTablesValues(int code, int linear) =>
        Assert.Equal(linear, G711.DecodeMuLaw((byte)code));

    [Theory]
    [InlineData(0xD5, 8)]
    [InlineData(0x55, -8)]
    [InlineData(0xAA, 32256)]
    [InlineData(0x2A, -32256)]
    [InlineData(0xD4, 24)]
    [InlineData(0xC5, 264)]
    [InlineData(0xF5, 528)]
    public void ALawDecodesToTheTablesValues(int code, int linear) =>
        Assert.Equal(linear, G711.DecodeALaw((byte)code));

    [Theory]
    [InlineData(0, 0xFF, 0xD5)]
    [InlineData(-1, 0x7F, 0x55)]
    [InlineData(32767, 0x80, 0xAA)]
    [InlineData(-32768, 0x00, 0x2A)]
    [InlineData(1000, 0xCE, 0xFA)]
    [InlineData(-1000, 0x4E, 0x7A)]
    public void EncodesKnownValues(int linear, int muLaw, int aLaw)
    {
        Assert.Equal((byte)muLaw, G711.EncodeMuLaw((short)linear));
        Assert.Equal((byte)aLaw, G711.EncodeALaw((short)linear));
    }

    [Fact]
    public void EveryCodeSurvivesDecodeAndEncode()
    {
        for (var code = 0; code < 256; code++)
        {
            // μ-law has two zeros; negative zero comes back as positive zero.
            Assert.Equal(code == 0x7F ? 0xFF : code, G711.EncodeMuLaw(G711.DecodeMuLaw((byte)code)));
            Assert.Equal(code, G711.EncodeALaw(G711.DecodeALaw((byte)code)));
        }
    }

    [Fact]
    public void EncodingIsMonotonicAndEveryLinearValueLandsOnTheNearestLevelsSegment()
    {
        for (int sample = short.MinValue; sample <= short.MaxValue; sample += 7)
        {
            var mu = G711.DecodeMuLaw(G711.EncodeMuLaw((short)sample));
            var a = G711.DecodeALaw(G711.EncodeALaw((short)sample));
            // Quantisation error stays within one step of the segment (step/2 plus the bias rounding).
            Assert.True(Math.Abs(mu - sample) <= Math.Max(8, Math.Abs(sample) / 16 + 4) || Math.Abs(sample) > 32124, $"mu {sample} -> {mu}");
            Assert.True(Math.Abs(a - sample) <= Math.Max(16, Math.Abs(sample) / 16 + 8) || Math.Abs(sample) > 32256, $"a {sample} -> {a}");
        }
    }

    [Theory]
    [InlineData(AudioEncoding.Pcmu)]
    [InlineData(AudioEncoding.Pcma)]
    public void ASineWaveKeepsG711sSignalToNoiseRatio(AudioEncoding encoding)
    {
        var samples = Enumerable.Range(0, 8000).Select(i => (short)(10000 * Math.Sin(2 * Math.PI * 1000 * i / 8000.0))).ToArray();
        var codes = new byte[samples.Length];
        var decoded = new short[samples.Length];

        G711.Encode(encoding, samples, codes);
        G711.Decode(encoding, codes, decoded);

        double signal = 0, noise = 0;
        for (var i = 0; i < samples.Length; i++)
        {
            signal += (double)samples[i] * samples[i];
            noise += Math.Pow(samples[i] - decoded[i], 2);
        }
        Assert.InRange(10 * Math.Log10(signal / noise), 35, 60);
    }

    [Fact]
    public void TranscodingGoesThroughLinear()
    {
        var mu = Enumerable.Range(0, 256).Select(i => (byte)i).ToArray();
        var a = new byte[256];

        G711.Transcode(AudioEncoding.Pcmu, AudioEncoding.Pcma, mu, a);

        for (var i = 0; i < 256; i++)
        {
            Assert.Equal(G711.EncodeALaw(G711.DecodeMuLaw(mu[i])), a[i]);
        }
        Assert.Equal(G711.ALawSilence, a[G711.MuLawSilence]);
    }
}
