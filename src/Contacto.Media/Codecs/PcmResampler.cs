using NAudio.Dsp;

namespace Contacto.Media.Codecs;

/// <summary>
/// Converts mono PCM of any rate (16 kHz and 22.05 kHz speech engines, 44.1 kHz prompts) to
/// the 8 kHz of G.711. Uses NAudio's WDL resampler in windowed-sinc mode, whose filter cuts at
/// the output's Nyquist frequency: what lies above 4 kHz is removed, not folded back into the
/// band as plain decimation would.
/// </summary>
public static class PcmResampler
{
    public const int TargetRate = AudioEncodings.ClockRate;
    private const int SincSize = 64;
    private const int SincInterpolation = 32;
    private const int Block = 4096;

    /// <summary>Resamples <paramref name="samples"/> (floats in [-1, 1]) to 8 kHz 16-bit samples.</summary>
    public static short[] To8Khz(ReadOnlySpan<float> samples, int sourceRate)
    {
        if (sourceRate is < 4000 or > 192_000)
        {
            throw new MediaException($"Unsupported sample rate {sourceRate} Hz.");
        }
        if (sourceRate == TargetRate)
        {
            var same = new short[samples.Length];
            for (var i = 0; i < samples.Length; i++)
            {
                same[i] = ToShort(samples[i]);
            }
            return same;
        }

        var resampler = new WdlResampler();
        resampler.SetMode(true, 0, true, SincSize, SincInterpolation);
        resampler.SetFeedMode(true);
        resampler.SetRates(sourceRate, TargetRate);
        var expected = (int)((long)samples.Length * TargetRate / sourceRate);
        var output = new List<short>(expected + 64);
        var outBlock = new float[Block * TargetRate / Math.Min(sourceRate, TargetRate) + 64];
        var offset = 0;
        // Feed the input, then the filter's length of silence to flush what it still holds.
        var flush = SincSize * sourceRate / TargetRate + SincSize;
        while (offset < samples.Length + flush)
        {
            var take = Math.Min(Block, samples.Length + flush - offset);
            var needed = resampler.ResamplePrepare(take, 1, out var input);
            needed = Math.Min(needed, take);
            for (var i = 0; i < needed; i++)
            {
                var index = offset + i;
                input[i] = index < samples.Length ? samples[index] : 0f;
            }
            var produced = resampler.ResampleOut(outBlock, needed, outBlock.Length, 1);
            for (var i = 0; i < produced; i++)
            {
                output.Add(ToShort(outBlock[i]));
            }
            offset += needed;
            if (needed == 0)
            {
                break;
            }
        }
        // The filter delays the signal by half its length: drop that lead-in and keep the duration.
        var delay = Math.Min(output.Count, SincSize / 2);
        var length = Math.Min(expected, output.Count - delay);
        return output.GetRange(delay, Math.Max(0, length)).ToArray();
    }

    public static short[] To8Khz(ReadOnlySpan<short> samples, int sourceRate)
    {
        var floats = new float[samples.Length];
        for (var i = 0; i < samples.Length; i++)
        {
            floats[i] = samples[i] / 32768f;
        }
        return To8Khz(floats, sourceRate);
    }

    internal static short ToShort(float sample) =>
        (short)Math.Clamp(MathF.Round(sample * 32768f), short.MinValue, short.MaxValue);
}
