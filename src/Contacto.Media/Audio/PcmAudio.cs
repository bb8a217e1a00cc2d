namespace Contacto.Media.Audio;

/// <summary>Decoded audio ready to play: 16-bit mono samples at 8 kHz.</summary>
public sealed class PcmAudio(short[] samples)
{
    public const int SampleRate = 8000;

    public ReadOnlyMemory<short> Samples { get; } = samples;

    public TimeSpan Duration => TimeSpan.FromSeconds((double)Samples.Length / SampleRate);

    public static PcmAudio Silence(TimeSpan duration) => new(new short[(int)(duration.TotalSeconds * SampleRate)]);
}

/// <summary>Something a call plays: asked for one 10 ms frame at a time from the pacing loop, so it must not block.</summary>
public interface IAudioSource
{
    /// <summary>Writes up to <paramref name="frame"/>.Length samples; fewer means it has ended.</summary>
    int Read(Span<short> frame);
}

/// <summary>Plays a <see cref="PcmAudio"/> a number of times (Plivo's Play loop; 0 plays until stopped).</summary>
public sealed class PcmAudioSource(PcmAudio audio, int loops = 1) : IAudioSource
{
    private int _position;
    private int _played;

    public int Read(Span<short> frame)
    {
        var samples = audio.Samples.Span;
        var written = 0;
        while (written < frame.Length && !samples.IsEmpty)
        {
            if (_position == samples.Length)
            {
                _played++;
                if (loops > 0 && _played >= loops)
                {
                    break;
                }
                _position = 0;
            }
            var take = Math.Min(frame.Length - written, samples.Length - _position);
            samples.Slice(_position, take).CopyTo(frame[written..]);
            _position += take;
            written += take;
        }
        return written;
    }
}

/// <summary>DTMF keys as dual tones (100 ms each, 60 ms apart), for peers without telephone-event.</summary>
internal sealed class DtmfToneSource(string digits) : IAudioSource
{
    private const int ToneSamples = 800;
    private const int GapSamples = 480;
    private const double Amplitude = 0.25 * 32767;
    private int _position;

    public int Read(Span<short> frame)
    {
        var total = digits.Length * (ToneSamples + GapSamples);
        var written = 0;
        for (; written < frame.Length && _position < total; written++, _position++)
        {
            var within = _position % (ToneSamples + GapSamples);
            if (within >= ToneSamples)
            {
                frame[written] = 0;
                continue;
            }
            var (row, column) = Dtmf.GoertzelDetector.Frequencies(digits[_position / (ToneSamples + GapSamples)]);
            var t = within / 8000.0;
            frame[written] = (short)(Amplitude * (Math.Sin(2 * Math.PI * row * t) + Math.Sin(2 * Math.PI * column * t)));
        }
        return written;
    }
}
