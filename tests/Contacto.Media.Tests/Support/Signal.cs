using Contacto.Media.Audio;

namespace Contacto.Media.Tests.Support;

internal static class Signal
{
    public static PcmAudio Tone(double frequency, double seconds) =>
        new(Enumerable.Range(0, (int)(8000 * seconds)).Select(i => (short)(8000 * Math.Sin(2 * Math.PI * frequency * i / 8000))).ToArray());

    public static double Rms(ReadOnlySpan<short> samples)
    {
        double sum = 0;
        foreach (var s in samples)
        {
            sum += (double)s * s;
        }
        return Math.Sqrt(sum / Math.Max(1, samples.Length));
    }
}
