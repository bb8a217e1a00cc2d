using System.Diagnostics;
using System.Security.Cryptography;
using System.Text;
using Contacto.Media.Audio;

namespace Contacto.Media.Speech;

/// <summary>What Plivo's Speak asks for: text, a voice (WOMAN or MAN) and a language such as en-US.</summary>
public sealed record SpeechRequest(string Text, string Voice = "WOMAN", string Language = "en-US")
{
    /// <summary>
    /// The cache key of the spoken audio: SHA-256 over the voice, the language and the text,
    /// normalised (voice upper case, language lower case), in hex. It reveals nothing of the text.
    /// </summary>
    public string CacheKey
    {
        get
        {
            var normal = $"{Voice.ToUpperInvariant()}\n{Language.ToLowerInvariant()}\n{Text}";
            return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(normal)));
        }
    }
}

/// <summary>Turns text into 8 kHz audio.</summary>
public interface ISpeechEngine
{
    /// <exception cref="SpeechUnavailableException">No engine is installed, or none speaks the language.</exception>
    /// <exception cref="SpeechFailedException">The engine failed, ran past its time limit or wrote too much.</exception>
    Task<PcmAudio> SynthesizeAsync(SpeechRequest request, CancellationToken cancellationToken = default);
}

/// <summary>
/// No speech engine can speak this request: neither flite nor espeak-ng is installed (install
/// them: <c>apt-get install flite espeak-ng</c>), or none speaks its language. The call engine
/// answers Speak with this documented error and goes on to the call's next step.
/// </summary>
public sealed class SpeechUnavailableException(string message) : MediaException(message);

/// <summary>The engine ran and did not produce audio in time or within bounds.</summary>
public sealed class SpeechFailedException(string message, Exception? inner = null) : MediaException(message, inner);

public sealed record SpeechEngineOptions
{
    /// <summary>Where to look for flite and espeak-ng; default: the PATH.</summary>
    public IReadOnlyList<string>? SearchPath { get; init; }

    public TimeSpan TimeLimit { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>Plivo's Speak takes up to 3,000 characters.</summary>
    public int MaxTextLength { get; init; } = 3000;

    public long MaxOutputBytes { get; init; } = 32 * 1024 * 1024;
}

/// <summary>
/// Speech from flite (English; voices slt for WOMAN and rms for MAN) or espeak-ng (every other
/// language, and English when flite is missing; variants +f3 and +m3), run as a separate process
/// with no shell. espeak-ng reads the text on its standard input; flite takes it as its -t
/// argument (it cannot write a pipe otherwise), so for the fraction of a second it runs the text
/// is visible in the machine's process list. WAV comes back on standard output, never through a
/// file; the process is killed at the time limit; output is decoded and resampled to 8 kHz.
/// </summary>
public sealed class ProcessSpeechEngine : ISpeechEngine
{
    private static readonly Dictionary<string, string> EspeakVoices = new(StringComparer.OrdinalIgnoreCase)
    {
        ["en-us"] = "en-us", ["en-gb"] = "en-gb", ["en-au"] = "en-gb", ["en-in"] = "en-gb", ["en"] = "en-us",
        ["es-es"] = "es", ["es-us"] = "es-419", ["es-mx"] = "es-419", ["es"] = "es",
        ["fr-fr"] = "fr", ["fr-ca"] = "fr", ["fr"] = "fr",
        ["de-de"] = "de", ["de"] = "de", ["it-it"] = "it", ["it"] = "it",
        ["pt-br"] = "pt-br", ["pt-pt"] = "pt", ["pt"] = "pt",
        ["nl-nl"] = "nl", ["nl"] = "nl", ["ru-ru"] = "ru", ["ru"] = "ru", ["pl-pl"] = "pl", ["pl"] = "pl",
        ["sv-se"] = "sv", ["da-dk"] = "da", ["nb-no"] = "nb", ["fi-fi"] = "fi", ["tr-tr"] = "tr",
        ["ja-jp"] = "ja", ["ko-kr"] = "ko", ["zh-cn"] = "cmn", ["cmn-cn"] = "cmn", ["hi-in"] = "hi", ["ar"] = "ar",
    };

    private readonly SpeechEngineOptions _options;
    private readonly string? _flite;
    private readonly string? _espeak;

    public ProcessSpeechEngine(SpeechEngineOptions? options = null)
    {
        _options = options ?? new SpeechEngineOptions();
        var path = _options.SearchPath ?? (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries);
        _flite = Find(path, "flite");
        _espeak = Find(path, "espeak-ng");
    }

    public bool IsAvailable => _flite is not null || _espeak is not null;

    /// <summary>The program and arguments that would speak the request, or null when none can.</summary>
    internal (string Program, string[] Arguments, bool TextOnInput)? Choose(SpeechRequest request)
    {
        var woman = !request.Voice.Equals("MAN", StringComparison.OrdinalIgnoreCase);
        var language = request.Language.Trim();
        var english = language.StartsWith("en", StringComparison.OrdinalIgnoreCase);
        if (english && _flite is not null)
        {
            // flite reads a file (or standard input) utterance by utterance and appends each to its
            // output by reopening it, which a pipe cannot do; with -t it writes the whole wave once.
            return (_flite, ["-voice", woman ? "slt" : "rms", "-o", "/dev/stdout", "-t", request.Text], false);
        }
        if (_espeak is null)
        {
            return null;
        }
        if (!EspeakVoices.TryGetValue(language, out var voice) && !EspeakVoices.TryGetValue(language.Split('-')[0], out voice))
        {
            return null;
        }
        return (_espeak, ["-v", voice + (woman ? "+f3" : "+m3"), "--stdout"], true);
    }

    public async Task<PcmAudio> SynthesizeAsync(SpeechRequest request, CancellationToken cancellationToken = default)
    {
        if (string.IsNullOrWhiteSpace(request.Text) || request.Text.Length > _options.MaxTextLength)
        {
            throw new ArgumentException($"Speech text must hold 1 to {_options.MaxTextLength} characters.", nameof(request));
        }
        var choice = Choose(request) ?? throw new SpeechUnavailableException(IsAvailable
            ? $"No installed speech engine speaks '{request.Language}'."
            : "No speech engine is installed: install flite or espeak-ng.");
        var start = new ProcessStartInfo(choice.Program)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in choice.Arguments)
        {
            start.ArgumentList.Add(argument);
        }
        using var process = Process.Start(start) ?? throw new SpeechFailedException("The speech engine did not start.");
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        limit.CancelAfter(_options.TimeLimit);
        try
        {
            var errors = process.StandardError.ReadToEndAsync(limit.Token);
            if (choice.TextOnInput)
            {
                await process.StandardInput.WriteAsync(request.Text.AsMemory(), limit.Token);
            }
            process.StandardInput.Close();
            using var output = new MemoryStream();
            var buffer = new byte[65536];
            int read;
            while ((read = await process.StandardOutput.BaseStream.ReadAsync(buffer, limit.Token)) > 0)
            {
                if (output.Length + read > _options.MaxOutputBytes)
                {
                    throw new SpeechFailedException($"The speech engine wrote more than {_options.MaxOutputBytes} bytes.");
                }
                output.Write(buffer, 0, read);
            }
            await process.WaitForExitAsync(limit.Token);
            await errors;
            if (process.ExitCode != 0 || output.Length == 0)
            {
                throw new SpeechFailedException($"The speech engine exited with code {process.ExitCode}.");
            }
            return AudioDecoder.Decode(output.GetBuffer().AsMemory(0, (int)output.Length));
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new SpeechFailedException($"The speech engine ran past its limit of {_options.TimeLimit.TotalSeconds:0} s.");
        }
        catch (AudioFormatException error)
        {
            throw new SpeechFailedException("The speech engine wrote no readable audio.", error);
        }
        finally
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
            }
        }
    }

    private static string? Find(IEnumerable<string> path, string program) =>
        path.Select(folder => Path.Combine(folder, program)).FirstOrDefault(File.Exists);
}

/// <summary>Keeps spoken audio in memory by <see cref="SpeechRequest.CacheKey"/>, least recently used out first, within a byte budget.</summary>
public sealed class CachingSpeechEngine(ISpeechEngine inner, long maxBytes = 64 * 1024 * 1024) : ISpeechEngine
{
    private readonly Lock _gate = new();
    private readonly LinkedList<(string Key, PcmAudio Audio)> _order = new();
    private readonly Dictionary<string, LinkedListNode<(string Key, PcmAudio Audio)>> _entries = [];
    private long _bytes;

    public int Count
    {
        get
        {
            lock (_gate)
            {
                return _entries.Count;
            }
        }
    }

    public async Task<PcmAudio> SynthesizeAsync(SpeechRequest request, CancellationToken cancellationToken = default)
    {
        var key = request.CacheKey;
        lock (_gate)
        {
            if (_entries.TryGetValue(key, out var hit))
            {
                _order.Remove(hit);
                _order.AddFirst(hit);
                return hit.Value.Audio;
            }
        }
        var audio = await inner.SynthesizeAsync(request, cancellationToken);
        var size = audio.Samples.Length * 2L;
        lock (_gate)
        {
            if (size <= maxBytes && !_entries.ContainsKey(key))
            {
                _entries[key] = _order.AddFirst((key, audio));
                _bytes += size;
                while (_bytes > maxBytes && _order.Last is { } oldest)
                {
                    _order.RemoveLast();
                    _entries.Remove(oldest.Value.Key);
                    _bytes -= oldest.Value.Audio.Samples.Length * 2L;
                }
            }
        }
        return audio;
    }
}
