using System.Buffers.Binary;
using Contacto.Media.Codecs;
using NLayer;

namespace Contacto.Media.Audio;

/// <summary>Bounds on a prompt: its size before decoding and its length after.</summary>
public sealed record AudioDecodeLimits
{
    public static AudioDecodeLimits Default { get; } = new();

    public long MaxBytes { get; init; } = 20 * 1024 * 1024;

    public TimeSpan MaxDuration { get; init; } = TimeSpan.FromMinutes(10);
}

/// <summary>A prompt that is not audio this library reads, or is over its limits. Nothing of the content is quoted.</summary>
public sealed class AudioFormatException(string message, Exception? inner = null) : MediaException(message, inner);

/// <summary>
/// Decodes WAV (PCM 8/16/24/32-bit, float, μ-law, A-law; any channel count, mixed down) and MP3
/// (MPEG 1/2 layer III, through NLayer) to 8 kHz mono for playback, resampling through
/// <see cref="PcmResampler"/>. The platform fetches prompt URLs and hands over the bytes or a
/// stream; limits apply before anything large is allocated. A WAV whose data length is unknown
/// (0 or past the end, as speech engines write to a pipe) is read to its end.
/// </summary>
public static class AudioDecoder
{
    public static async Task<PcmAudio> DecodeAsync(Stream stream, AudioDecodeLimits? limits = null, CancellationToken cancellationToken = default)
    {
        limits ??= AudioDecodeLimits.Default;
        using var buffer = new MemoryStream();
        var chunk = new byte[81920];
        int read;
        while ((read = await stream.ReadAsync(chunk, cancellationToken)) > 0)
        {
            if (buffer.Length + read > limits.MaxBytes)
            {
                throw new AudioFormatException($"The audio is larger than {limits.MaxBytes} bytes.");
            }
            buffer.Write(chunk, 0, read);
        }
        return Decode(buffer.GetBuffer().AsMemory(0, (int)buffer.Length), limits);
    }

    public static PcmAudio Decode(ReadOnlyMemory<byte> bytes, AudioDecodeLimits? limits = null)
    {
        limits ??= AudioDecodeLimits.Default;
        if (bytes.Length > limits.MaxBytes)
        {
            throw new AudioFormatException($"The audio is larger than {limits.MaxBytes} bytes.");
        }
        var span = bytes.Span;
        if (span.Length >= 12 && span[..4].SequenceEqual("RIFF"u8) && span[8..12].SequenceEqual("WAVE"u8))
        {
            return DecodeWav(span, limits);
        }
        if (span.Length >= 3 && (span[..3].SequenceEqual("ID3"u8) || (span[0] == 0xFF && (span[1] & 0xE0) == 0xE0)))
        {
            return DecodeMp3(bytes, limits);
        }
        throw new AudioFormatException("The audio is neither WAV nor MP3.");
    }

    private static PcmAudio DecodeWav(ReadOnlySpan<byte> file, AudioDecodeLimits limits)
    {
        int? format = null;
        int channels = 0, rate = 0, bits = 0, blockAlign = 0;
        var offset = 12;
        while (offset + 8 <= file.Length)
        {
            var id = file.Slice(offset, 4);
            var size = BinaryPrimitives.ReadUInt32LittleEndian(file[(offset + 4)..]);
            var body = offset + 8;
            if (id.SequenceEqual("fmt "u8))
            {
                if (size < 16 || body + 16 > file.Length)
                {
                    throw new AudioFormatException("The WAV format chunk is cut short.");
                }
                var fmt = file.Slice(body, 16);
                format = BinaryPrimitives.ReadUInt16LittleEndian(fmt);
                channels = BinaryPrimitives.ReadUInt16LittleEndian(fmt[2..]);
                rate = (int)BinaryPrimitives.ReadUInt32LittleEndian(fmt[4..]);
                blockAlign = BinaryPrimitives.ReadUInt16LittleEndian(fmt[12..]);
                bits = BinaryPrimitives.ReadUInt16LittleEndian(fmt[14..]);
                if (format == 0xFFFE && size >= 40 && body + 26 <= file.Length)
                {
                    // WAVE_FORMAT_EXTENSIBLE: the sub-format GUID starts with the real tag.
                    format = BinaryPrimitives.ReadUInt16LittleEndian(file[(body + 24)..]);
                }
            }
            else if (id.SequenceEqual("data"u8))
            {
                if (format is null)
                {
                    throw new AudioFormatException("The WAV data comes before its format.");
                }
                var available = file.Length - body;
                var length = size == 0 || size > available ? available : (int)size;
                return WavSamples(file.Slice(body, length), format.Value, channels, rate, bits, blockAlign, limits);
            }
            if (size > (uint)(file.Length - body))
            {
                break;
            }
            offset = body + (int)size + (int)(size & 1);
        }
        throw new AudioFormatException("The WAV file has no data chunk.");
    }

    private static PcmAudio WavSamples(ReadOnlySpan<byte> data, int format, int channels, int rate, int bits, int blockAlign, AudioDecodeLimits limits)
    {
        var bytesPerSample = bits / 8;
        var supported = (format, bits) is (1, 8 or 16 or 24 or 32) or (3, 32) or (6 or 7, 8);
        if (!supported || channels is < 1 or > 8 || rate is < 4000 or > 192_000 || blockAlign != channels * bytesPerSample)
        {
            throw new AudioFormatException($"Unsupported WAV format (tag {format}, {bits} bits, {channels} channels, {rate} Hz).");
        }
        var frames = data.Length / blockAlign;
        CheckDuration(frames, rate, limits);
        var mono = new float[frames];
        for (var frame = 0; frame < frames; frame++)
        {
            float sum = 0;
            for (var channel = 0; channel < channels; channel++)
            {
                var sample = data.Slice(frame * blockAlign + channel * bytesPerSample, bytesPerSample);
                sum += (format, bits) switch
                {
                    (1, 8) => (sample[0] - 128) / 128f,
                    (1, 16) => BinaryPrimitives.ReadInt16LittleEndian(sample) / 32768f,
                    (1, 24) => ((sample[2] << 24) | (sample[1] << 16) | (sample[0] << 8)) / 2147483648f,
                    (1, 32) => BinaryPrimitives.ReadInt32LittleEndian(sample) / 2147483648f,
                    (3, _) => Math.Clamp(BinaryPrimitives.ReadSingleLittleEndian(sample), -1f, 1f),
                    (7, _) => G711.DecodeMuLaw(sample[0]) / 32768f,
                    _ => G711.DecodeALaw(sample[0]) / 32768f,
                };
            }
            mono[frame] = sum / channels;
        }
        return new PcmAudio(PcmResampler.To8Khz(mono, rate));
    }

    private static PcmAudio DecodeMp3(ReadOnlyMemory<byte> bytes, AudioDecodeLimits limits)
    {
        try
        {
            using var stream = new MemoryStream(bytes.ToArray(), writable: false);
            using var mpeg = new MpegFile(stream);
            var rate = mpeg.SampleRate;
            var channels = mpeg.Channels;
            if (rate is < 8000 or > 48000 || channels is < 1 or > 2)
            {
                throw new AudioFormatException("Unsupported MP3 stream.");
            }
            var maxFrames = (long)(limits.MaxDuration.TotalSeconds * rate);
            var mono = new List<float>();
            var block = new float[4096 * channels];
            int read;
            while ((read = mpeg.ReadSamples(block, 0, block.Length)) > 0)
            {
                for (var i = 0; i + channels <= read; i += channels)
                {
                    mono.Add(channels == 1 ? block[i] : (block[i] + block[i + 1]) / 2);
                }
                if (mono.Count > maxFrames)
                {
                    CheckDuration(mono.Count, rate, limits);
                }
            }
            if (mono.Count == 0)
            {
                throw new AudioFormatException("The MP3 holds no audio frames.");
            }
            return new PcmAudio(PcmResampler.To8Khz(mono.ToArray(), rate));
        }
        catch (Exception error) when (error is not AudioFormatException and not OutOfMemoryException)
        {
            throw new AudioFormatException("The MP3 could not be decoded.", error);
        }
    }

    private static void CheckDuration(long frames, int rate, AudioDecodeLimits limits)
    {
        if (frames > limits.MaxDuration.TotalSeconds * rate)
        {
            throw new AudioFormatException($"The audio is longer than {limits.MaxDuration.TotalSeconds:0} seconds.");
        }
    }
}
