using System.Buffers.Binary;
using Contacto.Media.Audio;
using Contacto.Media.Codecs;

using Contacto.Media.Tests.Support;

namespace Contacto.Media.Tests.Playback;

public sealed class AudioDecoderTests
{
    internal static byte[] Wav(int format, int channels, int rate, int bits, byte[] data, uint? declaredLength = null)
    {
        var file = new byte[44 + data.Length];
        "RIFF"u8.CopyTo(file);
        BinaryPrimitives.WriteUInt32LittleEndian(file.AsSpan(4), (uint)(36 + data.Length));
        "WAVEfmt "u8.CopyTo(file.AsSpan(8));
        BinaryPrimitives.WriteUInt32LittleEndian(file.AsSpan(16), 16);
        BinaryPrimitives.WriteUInt16LittleEndian(file.AsSpan(20), (ushort)format);
        BinaryPrimitives.WriteUInt16LittleEndian(file.AsSpan(22), (ushort)channels);
        BinaryPrimitives.WriteUInt32LittleEndian(file.AsSpan(24), (uint)rate);
        BinaryPrimitives.WriteUInt32LittleEndian(file.AsSpan(28), (uint)(rate * channels * bits / 8));
        BinaryPrimitives.WriteUInt16LittleEndian(file.AsSpan(32), (ushort)(channels * bits / 8));
        BinaryPrimitives.WriteUInt16LittleEndian(file.AsSpan(34), (ushort)bits);
        "data"u8.CopyTo(file.AsSpan(36));
        BinaryPrimitives.WriteUInt32LittleEndian(file.AsSpan(40), declaredLength ?? (uint)data.Length);
        data.CopyTo(file, 44);
        return file;
    }

    private static byte[] Pcm16(IEnumerable<short> samples) => samples.SelectMany(s => BitConverter.GetBytes(s)).ToArray();

    private static IEnumerable<short> Sine(double frequency, int rate, double seconds, double amplitude = 10000) =>
        Enumerable.Range(0, (int)(rate * seconds)).Select(i => (short)(amplitude * Math.Sin(2 * Math.PI * frequency * i / rate)));

    [Theory]
    [InlineData(8000)]
    [InlineData(16000)]
    [InlineData(22050)]
    [InlineData(44100)]
    public void Decodes16BitWavOfAnyRateTo8Khz(int rate)
    {
        var audio = AudioDecoder.Decode(Wav(1, 1, rate, 16, Pcm16(Sine(800, rate, 0.5))));

        Assert.InRange(audio.Samples.Length, 3990, 4000);
        Assert.InRange(Signal.Rms(audio.Samples.Span[200..3800]), 6500, 7600);
    }

    [Fact]
    public void DecodesStereoFloatLawAndStreamedWav()
    {
        var stereo = Pcm16(Sine(500, 8000, 0.1).SelectMany(s => new[] { s, s }));
        var floats = Sine(500, 8000, 0.1).SelectMany(s => BitConverter.GetBytes(s / 32768f)).ToArray();
        var mulaw = Sine(500, 8000, 0.1).Select(G711.EncodeMuLaw).ToArray();

        Assert.Equal(800, AudioDecoder.Decode(Wav(1, 2, 8000, 16, stereo)).Samples.Length);
        Assert.Equal(800, AudioDecoder.Decode(Wav(3, 1, 8000, 32, floats)).Samples.Length);
        Assert.Equal(800, AudioDecoder.Decode(Wav(7, 1, 8000, 8, mulaw)).Samples.Length);
        // A speech engine writing to a pipe declares 0 (flite) or a huge length (espeak-ng).
        Assert.Equal(800, AudioDecoder.Decode(Wav(1, 1, 8000, 16, Pcm16(Sine(500, 8000, 0.1)), declaredLength: 0)).Samples.Length);
        Assert.Equal(800, AudioDecoder.Decode(Wav(1, 1, 8000, 16, Pcm16(Sine(500, 8000, 0.1)), declaredLength: 0x7FFFF000)).Samples.Length);
    }

    [Fact]
    public async Task RefusesWhatIsNotAudioOrIsOverItsLimits()
    {
        var tenSeconds = Wav(1, 1, 8000, 16, Pcm16(Sine(500, 8000, 10)));
        var limits = new AudioDecodeLimits { MaxBytes = 100_000, MaxDuration = TimeSpan.FromSeconds(5) };

        Assert.Contains("neither", Assert.Throws<AudioFormatException>(() => AudioDecoder.Decode("<html>"u8.ToArray())).Message);
        Assert.Contains("larger", Assert.Throws<AudioFormatException>(() => AudioDecoder.Decode(new byte[200_000], limits)).Message);
        Assert.Contains("longer", Assert.Throws<AudioFormatException>(() => AudioDecoder.Decode(tenSeconds, limits with { MaxBytes = 1_000_000 })).Message);
        await Assert.ThrowsAsync<AudioFormatException>(() => AudioDecoder.DecodeAsync(new MemoryStream(tenSeconds), limits));
        Assert.Throws<AudioFormatException>(() => AudioDecoder.Decode(Wav(2, 1, 8000, 4, new byte[10])));
        Assert.Throws<AudioFormatException>(() => AudioDecoder.Decode(Wav(1, 1, 8000, 16, new byte[10])[..30]));
        Assert.Throws<AudioFormatException>(() => AudioDecoder.Decode(new byte[] { 0xFF, 0xFB, 0x90, 0x00, 1, 2, 3 }));
        var random = new Random(7);
        for (var i = 0; i < 200; i++)
        {
            var bytes = tenSeconds[..2000];
            bytes[random.Next(8, 44)] = (byte)random.Next(256);
            try
            {
                AudioDecoder.Decode(bytes, limits);
            }
            catch (AudioFormatException)
            {
            }
        }
    }

    [Fact]
    public void DecodesMp3ToEightKilohertz()
    {
        // An MP3 made by the speech test's tools is not at hand in every environment; sox or lame
        // may be missing, so the test makes one from a WAV only where ffmpeg or lame exists.
        var lame = new[] { "/usr/bin/lame" }.FirstOrDefault(File.Exists);
        if (lame is null)
        {
            return;
        }
        var wav = Path.Combine(Path.GetTempPath(), $"media-{Guid.NewGuid():N}.wav");
        var mp3 = Path.ChangeExtension(wav, ".mp3");
        try
        {
            File.WriteAllBytes(wav, Wav(1, 1, 22050, 16, Pcm16(Sine(600, 22050, 1.0))));
            using (var process = System.Diagnostics.Process.Start(lame, ["--quiet", "-b", "64", wav, mp3]))
            {
                process.WaitForExit(20_000);
            }
            var audio = AudioDecoder.Decode(File.ReadAllBytes(mp3));
            Assert.InRange(audio.Samples.Length, 7900, 8600);
            Assert.InRange(Signal.Rms(audio.Samples.Span[800..7000]), 6000, 8000);
        }
        finally
        {
            File.Delete(wav);
            File.Delete(mp3);
        }
    }
}
