using Contacto.Media.Codecs;
using Contacto.Media.Tests.Support;

namespace Contacto.Media.Tests.Codecs;

public sealed class PcmResamplerTests
{
    internal static float[] Tone(double frequency, int rate, double seconds, double amplitude = 0.5) =>
        Enumerable.Range(0, (int)(rate * seconds)).Select(i => (float)(amplitude * Math.Sin(2 * Math.PI * frequency * i / rate))).ToArray();

    [Theory]
    [InlineData(16000)]
    [InlineData(22050)]
    [InlineData(44100)]
    public void KeepsTheDurationAndPassesSpeechFrequencies(int rate)
    {
        var output = PcmResampler.To8Khz(Tone(1000, rate, 1.0), rate);

        Assert.InRange(output.Length, 7990, 8000);
        // 0.5 full scale is an RMS of 0.3536 * 32768 = 11585; within 1 dB away from the edges.
        Assert.InRange(Signal.Rms(output.AsSpan(400, 7000)), 11585 * 0.89, 11585 * 1.12);
    }

    [Theory]
    [InlineData(16000, 5000)]
    [InlineData(16000, 7000)]
    [InlineData(22050, 6000)]
    [InlineData(22050, 9000)]
    public void RemovesWhatLiesAboveFourKilohertzInsteadOfFoldingItBack(int rate, double frequency)
    {
        var output = PcmResampler.To8Khz(Tone(frequency, rate, 1.0), rate);

        // Decimation would fold the tone to 8000 - f at full level (RMS ~11585); the low-pass
        // leaves it more than 40 dB down.
        Assert.True(Signal.Rms(output.AsSpan(400, 7000)) < 116, $"{Signal.Rms(output.AsSpan(400, 7000))}");
    }

    [Fact]
    public void EightKilohertzPassesThroughAndPeaksClip()
    {
        Assert.Equal([0, 16384, -32768, 32767], PcmResampler.To8Khz([0f, 0.5f, -1.5f, 2f], 8000));
        Assert.Throws<MediaException>(() => PcmResampler.To8Khz(new float[10], 1000));
    }
}
