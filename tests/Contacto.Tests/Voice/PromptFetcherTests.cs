using System.Buffers.Binary;
using Contacto.Testing;
using Contacto.Voice;
using Contacto.Webhooks;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace Contacto.Tests.Voice;

/// <summary>Prompts fetched from a customer's server on loopback (allow-listed for the test, as an operator would).</summary>
public sealed class PromptFetcherTests : IAsyncLifetime
{
    static readonly Guid AccountA = Guid.CreateVersion7(), AccountB = Guid.CreateVersion7();
    readonly FakeTimeProvider time = new(DateTimeOffset.Parse("2026-12-03T12:00:00Z"));
    CallbackReceiver server = null!;

    public async Task InitializeAsync()
    {
        server = await CallbackReceiver.StartAsync();
        server.Answer = context => Task.FromResult(context.Request.Path.Value == "/tone.wav" ? Wav(Tone(8000)) : Results.NotFound());
    }

    public async Task DisposeAsync() => await server.DisposeAsync();

    PromptFetcher Fetcher(PromptOptions? options = null, params string[] allowed) =>
        new(new OutboundUrlPolicy(Options.Create(new WebhookOptions { AllowedNetworks = allowed.Length == 0 ? ["127.0.0.0/8"] : allowed })),
            Options.Create(options ?? new PromptOptions()), time);

    [Fact]
    public async Task A_WAV_prompt_is_fetched_and_decoded_to_8_kHz_mono()
    {
        using var fetcher = Fetcher();

        var audio = await fetcher.FetchAsync(AccountA, $"{server.BaseUrl}/tone.wav", CancellationToken.None);

        Assert.Equal(TimeSpan.FromSeconds(1), audio.Duration);
        Assert.Equal(1000, audio.Samples.Span[2]);
        var request = await server.NextAsync();
        Assert.Equal("GET", request.Method);
    }

    [Fact]
    public async Task A_prompt_is_fetched_once_per_account_while_cached_and_again_once_expired()
    {
        using var fetcher = Fetcher(new PromptOptions { CacheSeconds = 60 });
        var url = $"{server.BaseUrl}/tone.wav";

        await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => fetcher.FetchAsync(AccountA, url, CancellationToken.None)));
        await fetcher.FetchAsync(AccountA, url, CancellationToken.None);
        Assert.Equal(1, Drain());

        // Another account's call fetches for itself: the cache never tells one account what another plays.
        await fetcher.FetchAsync(AccountB, url, CancellationToken.None);
        Assert.Equal(1, Drain());

        time.Advance(TimeSpan.FromSeconds(61));
        await fetcher.FetchAsync(AccountA, url, CancellationToken.None);
        Assert.Equal(1, Drain());
    }

    [Theory]
    [InlineData("no-store")]
    [InlineData("no-cache")]
    [InlineData("max-age=0")]
    public async Task An_answer_that_forbids_caching_is_fetched_every_time(string cacheControl)
    {
        using var fetcher = Fetcher();
        server.Answer = context =>
        {
            context.Response.Headers.CacheControl = cacheControl;
            return Task.FromResult(Wav(Tone(800)));
        };
        var url = $"{server.BaseUrl}/tone.wav";

        await fetcher.FetchAsync(AccountA, url, CancellationToken.None);
        await fetcher.FetchAsync(AccountA, url, CancellationToken.None);

        Assert.Equal(2, Drain());
    }

    [Fact]
    public async Task A_private_address_is_refused_without_connecting()
    {
        using var fetcher = Fetcher(allowed: "192.0.2.0/24");

        var refused = await Assert.ThrowsAsync<PromptException>(() => fetcher.FetchAsync(AccountA, $"{server.BaseUrl}/tone.wav", CancellationToken.None));

        Assert.StartsWith("refused:", refused.Message);
        Assert.Equal(0, Drain());
    }

    [Theory]
    [InlineData("ftp://example.com/a.wav")]
    [InlineData("https://user:secret@example.com/a.wav")]
    [InlineData("/relative.wav")]
    [InlineData("")]
    public async Task A_malformed_URL_is_refused(string url)
    {
        using var fetcher = Fetcher();

        var refused = await Assert.ThrowsAsync<PromptException>(() => fetcher.FetchAsync(AccountA, url, CancellationToken.None));

        Assert.StartsWith("the URL", refused.Message);
        Assert.DoesNotContain("secret", refused.Message);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task A_file_over_the_size_limit_is_refused_whether_or_not_it_says_its_length(bool saysLength)
    {
        using var fetcher = Fetcher(new PromptOptions { MaxBytes = 64 * 1024 });
        var large = WavBytes(Tone(64 * 1024));
        server.Answer = async context =>
        {
            if (saysLength)
                context.Response.ContentLength = large.Length;
            context.Response.ContentType = "audio/wav";
            await context.Response.Body.WriteAsync(large);
            return Results.Empty;
        };

        var refused = await Assert.ThrowsAsync<PromptException>(() => fetcher.FetchAsync(AccountA, $"{server.BaseUrl}/big.wav", CancellationToken.None));

        Assert.Contains("larger than 65536 bytes", refused.Message);
    }

    [Fact]
    public async Task A_page_that_is_not_audio_is_refused_without_quoting_it()
    {
        using var fetcher = Fetcher();
        server.Answer = _ => Task.FromResult(Results.Content("<html>customer secret page</html>", "text/html"));

        var refused = await Assert.ThrowsAsync<PromptException>(() => fetcher.FetchAsync(AccountA, $"{server.BaseUrl}/page", CancellationToken.None));

        Assert.StartsWith("not playable audio", refused.Message);
        Assert.DoesNotContain("secret", refused.Message);
    }

    [Fact]
    public async Task An_error_answer_is_named_by_its_status()
    {
        using var fetcher = Fetcher();

        var refused = await Assert.ThrowsAsync<PromptException>(() => fetcher.FetchAsync(AccountA, $"{server.BaseUrl}/missing.wav", CancellationToken.None));

        Assert.Equal("answered 404", refused.Message);
    }

    [Fact]
    public async Task Redirects_are_followed_within_the_limit()
    {
        using var fetcher = Fetcher(new PromptOptions { MaxRedirects = 2 });
        server.Answer = context => Task.FromResult(context.Request.Path.Value switch
        {
            "/a" => Results.Redirect("/b"),
            "/b" => Results.Redirect("/tone.wav"),
            "/tone.wav" => Wav(Tone(800)),
            "/loop" => Results.Redirect("/loop"),
            _ => Results.NotFound(),
        });

        var audio = await fetcher.FetchAsync(AccountA, $"{server.BaseUrl}/a", CancellationToken.None);
        var looped = await Assert.ThrowsAsync<PromptException>(() => fetcher.FetchAsync(AccountA, $"{server.BaseUrl}/loop", CancellationToken.None));

        Assert.Equal(800, audio.Samples.Length);
        Assert.Equal("too many redirects", looped.Message);
    }

    [Fact]
    public async Task A_server_that_never_finishes_is_given_up_at_the_deadline()
    {
        using var fetcher = Fetcher(new PromptOptions { TimeoutSeconds = 1 });
        server.Answer = async context =>
        {
            context.Response.ContentType = "audio/wav";
            await context.Response.Body.WriteAsync(WavBytes(Tone(8000)).AsMemory(0, 1000));
            await context.Response.Body.FlushAsync();
            await Task.Delay(Timeout.Infinite, context.RequestAborted);
            return Results.Empty;
        };

        var clock = System.Diagnostics.Stopwatch.StartNew();
        var refused = await Assert.ThrowsAsync<PromptException>(() => fetcher.FetchAsync(AccountA, $"{server.BaseUrl}/slow.wav", CancellationToken.None));

        Assert.Equal("timed out", refused.Message);
        Assert.InRange(clock.Elapsed, TimeSpan.FromSeconds(0.9), TimeSpan.FromSeconds(20));
    }

    int Drain()
    {
        var count = 0;
        while (server.TryNext(out _))
            count++;
        return count;
    }

    static short[] Tone(int samples) => [.. Enumerable.Range(0, samples).Select(i => (short)(i % 4 == 2 ? 1000 : i % 4 == 0 ? -1000 : 0))];

    static IResult Wav(short[] samples) => Results.Bytes(WavBytes(samples), "audio/wav");

    /// <summary>A canonical 8 kHz 16-bit mono WAV file.</summary>
    static byte[] WavBytes(short[] samples)
    {
        var file = new byte[44 + samples.Length * 2];
        "RIFF"u8.CopyTo(file);
        BinaryPrimitives.WriteInt32LittleEndian(file.AsSpan(4), file.Length - 8);
        "WAVEfmt "u8.CopyTo(file.AsSpan(8));
        BinaryPrimitives.WriteInt32LittleEndian(file.AsSpan(16), 16);
        BinaryPrimitives.WriteInt16LittleEndian(file.AsSpan(20), 1);
        BinaryPrimitives.WriteInt16LittleEndian(file.AsSpan(22), 1);
        BinaryPrimitives.WriteInt32LittleEndian(file.AsSpan(24), 8000);
        BinaryPrimitives.WriteInt32LittleEndian(file.AsSpan(28), 16000);
        BinaryPrimitives.WriteInt16LittleEndian(file.AsSpan(32), 2);
        BinaryPrimitives.WriteInt16LittleEndian(file.AsSpan(34), 16);
        "data"u8.CopyTo(file.AsSpan(36));
        BinaryPrimitives.WriteInt32LittleEndian(file.AsSpan(40), samples.Length * 2);
        for (var i = 0; i < samples.Length; i++)
            BinaryPrimitives.WriteInt16LittleEndian(file.AsSpan(44 + i * 2), samples[i]);
        return file;
    }
}
