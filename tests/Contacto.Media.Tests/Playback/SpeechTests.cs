using Contacto.Media.Speech;

using Contacto.Media.Tests.Support;

namespace Contacto.Media.Tests.Playback;

public sealed class SpeechTests
{
    [Theory]
    [InlineData("WOMAN", "en-US")]
    [InlineData("MAN", "en-GB")]
    [InlineData("WOMAN", "es-ES")]
    [InlineData("MAN", "pt-BR")]
    public async Task SpeaksWithTheInstalledEnginesAtEightKilohertz(string voice, string language)
    {
        var engine = new ProcessSpeechEngine();
        Assert.True(engine.IsAvailable, "flite and espeak-ng are not installed (scripts/test installs them)");

        var audio = await engine.SynthesizeAsync(new SpeechRequest("Your code is one two three four.", voice, language));

        Assert.InRange(audio.Duration.TotalSeconds, 0.8, 6);
        Assert.True(Signal.Rms(audio.Samples.Span) > 300);
    }

    [Fact]
    public void MapsPlivosVoicesAndLanguagesToEngines()
    {
        var engine = new ProcessSpeechEngine();

        Assert.Equal(["-voice", "slt", "-o", "/dev/stdout", "-t", "x"], engine.Choose(new SpeechRequest("x", "WOMAN", "en-US"))!.Value.Arguments);
        Assert.Equal(["-voice", "rms", "-o", "/dev/stdout", "-t", "x"], engine.Choose(new SpeechRequest("x", "MAN", "en-AU"))!.Value.Arguments);
        Assert.Equal(["-v", "fr+f3", "--stdout"], engine.Choose(new SpeechRequest("x", "WOMAN", "fr-CA"))!.Value.Arguments);
        Assert.Equal(["-v", "es-419+m3", "--stdout"], engine.Choose(new SpeechRequest("x", "MAN", "es-US"))!.Value.Arguments);
        Assert.Equal(["-v", "de+f3", "--stdout"], engine.Choose(new SpeechRequest("x", "WOMAN", "de-AT"))!.Value.Arguments);
        Assert.Null(engine.Choose(new SpeechRequest("x", "WOMAN", "xx-YY")));
    }

    [Fact]
    public async Task WithoutAnEngineSpeakFailsWithTheDocumentedError()
    {
        var engine = new ProcessSpeechEngine(new SpeechEngineOptions { SearchPath = [Path.GetTempPath()] });

        Assert.False(engine.IsAvailable);
        var error = await Assert.ThrowsAsync<SpeechUnavailableException>(() => engine.SynthesizeAsync(new SpeechRequest("hello")));
        Assert.Contains("install flite or espeak-ng", error.Message);
    }

    [Fact]
    public async Task AnEngineThatHangsIsKilledAtItsTimeLimit()
    {
        var folder = Directory.CreateTempSubdirectory("media-speech-").FullName;
        try
        {
            var fake = Path.Combine(folder, "espeak-ng");
            File.WriteAllText(fake, "#!/bin/sh\nexec sleep 30\n");
            File.SetUnixFileMode(fake, UnixFileMode.UserRead | UnixFileMode.UserExecute);
            var engine = new ProcessSpeechEngine(new SpeechEngineOptions { SearchPath = [folder], TimeLimit = TimeSpan.FromMilliseconds(500) });
            var clock = System.Diagnostics.Stopwatch.StartNew();

            var error = await Assert.ThrowsAsync<SpeechFailedException>(() => engine.SynthesizeAsync(new SpeechRequest("hello", "WOMAN", "es-ES")));

            Assert.Contains("limit", error.Message);
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(10));
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public async Task TheCacheKeysByTextVoiceAndLanguageAndKeepsItsBudget()
    {
        var a = new SpeechRequest("Hello", "woman", "EN-us");
        Assert.Equal(new SpeechRequest("Hello", "WOMAN", "en-US").CacheKey, a.CacheKey);
        Assert.NotEqual(new SpeechRequest("Hello", "MAN", "en-US").CacheKey, a.CacheKey);
        Assert.NotEqual(new SpeechRequest("Hello!", "WOMAN", "en-US").CacheKey, a.CacheKey);
        Assert.DoesNotContain("Hello", a.CacheKey);

        var counting = new CountingEngine();
        var cache = new CachingSpeechEngine(counting, maxBytes: 3 * 16000);
        await cache.SynthesizeAsync(a);
        await cache.SynthesizeAsync(a);
        Assert.Equal(1, counting.Calls);
        foreach (var text in new[] { "b", "c", "d", "e" })
        {
            await cache.SynthesizeAsync(new SpeechRequest(text));
        }
        Assert.Equal(3, cache.Count);
        await cache.SynthesizeAsync(a);
        Assert.Equal(6, counting.Calls);
    }

    private sealed class CountingEngine : ISpeechEngine
    {
        public int Calls { get; private set; }

        public Task<Contacto.Media.Audio.PcmAudio> SynthesizeAsync(SpeechRequest request, CancellationToken cancellationToken = default)
        {
            Calls++;
            return Task.FromResult(new Contacto.Media.Audio.PcmAudio(new short[8000]));
        }
    }
}
