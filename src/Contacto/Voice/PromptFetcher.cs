using System.Collections.Concurrent;
using System.Net.Http.Headers;
using Contacto.Media.Audio;
using Contacto.Webhooks;
using Microsoft.Extensions.Caching.Memory;
using Microsoft.Extensions.Options;

namespace Contacto.Voice;

/// <summary>Why a prompt cannot be played: the reason only, never the URL's content.</summary>
internal sealed class PromptException(string message) : Exception(message);

/// <summary>
/// Fetches the prompts calls play (<c>Play</c> URLs) and decodes them to 8 kHz mono. Customers name
/// the URLs, so the fetch goes through the outbound URL policy (each connection checked and pinned,
/// redirects followed by hand, never https to http) with one deadline and a size limit checked
/// before anything large is read. Decoded prompts are cached per account and URL for
/// <see cref="PromptOptions.CacheSeconds"/> (less when the answer's <c>Cache-Control</c> says so,
/// not at all for <c>no-store</c> or <c>no-cache</c>), within <see cref="PromptOptions.CacheMegabytes"/>; calls that
/// ask for the same prompt at once share one fetch. The cache is per account so that one account
/// never learns what another plays, nor fetches through another's allowed answer.
/// </summary>
internal sealed class PromptFetcher : IDisposable
{
    readonly PromptOptions options;
    readonly HttpMessageInvoker http;
    readonly MemoryCache cache;
    readonly ConcurrentDictionary<(Guid Account, string Url), Lazy<Task<PcmAudio>>> fetching = new();
    readonly CancellationTokenSource stopping = new();

    public PromptFetcher(OutboundUrlPolicy policy, IOptions<PromptOptions> options, TimeProvider time)
    {
        this.options = options.Value;
        http = new HttpMessageInvoker(OutboundHttp.CreateHandler(TimeSpan.FromSeconds(this.options.TimeoutSeconds), policy));
        cache = new MemoryCache(new MemoryCacheOptions { SizeLimit = (long)this.options.CacheMegabytes * 1024 * 1024, Clock = new CacheClock(time) });
    }

    /// <exception cref="PromptException">The URL is refused, the fetch failed, or the file is not audio within the limits.</exception>
    public Task<PcmAudio> FetchAsync(Guid accountId, string url, CancellationToken cancellationToken)
    {
        if (OutboundUrlPolicy.FormProblem(url, out var target) is { } problem)
            throw new PromptException($"the URL {problem}");
        var key = (accountId, target!.AbsoluteUri);
        if (cache.TryGetValue(key, out PcmAudio? cached))
            return Task.FromResult(cached!);
        // One fetch per prompt however many calls wait for it; a caller that gives up leaves it running for the others.
        Lazy<Task<PcmAudio>>? created = null;
        created = new Lazy<Task<PcmAudio>>(() => FetchSharedAsync(key, target, created!));
        return fetching.GetOrAdd(key, created).Value.WaitAsync(cancellationToken);
    }

    /// <summary>Leaves the shared fetches before its result is seen, so a later call never gets a result the answer said not to keep.</summary>
    async Task<PcmAudio> FetchSharedAsync((Guid Account, string Url) key, Uri url, Lazy<Task<PcmAudio>> shared)
    {
        try
        {
            return await FetchAndKeepAsync(key, url);
        }
        finally
        {
            fetching.TryRemove(new(key, shared));
        }
    }

    async Task<PcmAudio> FetchAndKeepAsync((Guid Account, string Url) key, Uri url)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(stopping.Token);
        deadline.CancelAfter(TimeSpan.FromSeconds(options.TimeoutSeconds));
        for (var hop = 0; ; hop++)
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, url);
            request.Headers.Accept.ParseAdd("audio/mpeg, audio/wav, audio/x-wav, audio/*;q=0.8");
            HttpResponseMessage response;
            try
            {
                response = await http.SendAsync(request, deadline.Token);
            }
            catch (HttpRequestException e) when (e.InnerException is RefusedAddressException refused)
            {
                throw new PromptException($"refused: {refused.Message}");
            }
            catch (Exception e) when (e is HttpRequestException or IOException or OperationCanceledException)
            {
                throw new PromptException(e is OperationCanceledException ? "timed out" : "could not connect");
            }
            using (response)
            {
                if (OutboundHttp.FollowRedirect(url, response, hop, options.MaxRedirects, out var next) is { } redirectProblem)
                    throw new PromptException(redirectProblem);
                if (next is not null)
                {
                    url = next;
                    continue;
                }
                if (!response.IsSuccessStatusCode)
                    throw new PromptException($"answered {(int)response.StatusCode}");
                var audio = await DecodeAsync(response, deadline.Token);
                Keep(key, audio, response.Headers.CacheControl);
                return audio;
            }
        }
    }

    /// <summary>Reads and decodes the answer's file, refusing it as soon as it is known to be too large.</summary>
    async Task<PcmAudio> DecodeAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        if (response.Content.Headers.ContentLength > options.MaxBytes)
            throw new PromptException($"the file is larger than {options.MaxBytes} bytes");
        try
        {
            await using var stream = await response.Content.ReadAsStreamAsync(cancellationToken);
            return await AudioDecoder.DecodeAsync(stream,
                new AudioDecodeLimits { MaxBytes = options.MaxBytes, MaxDuration = TimeSpan.FromSeconds(options.MaxDurationSeconds) }, cancellationToken);
        }
        catch (AudioFormatException e)
        {
            throw new PromptException($"not playable audio (WAV or MP3): {e.Message}");
        }
        catch (Exception e) when (e is HttpRequestException or IOException or OperationCanceledException)
        {
            throw new PromptException(e is OperationCanceledException ? "timed out" : "the file broke off");
        }
    }

    void Keep((Guid Account, string Url) key, PcmAudio audio, CacheControlHeaderValue? cacheControl)
    {
        var keepFor = TimeSpan.FromSeconds(options.CacheSeconds);
        if (cacheControl is { NoStore: true } or { NoCache: true })
            return;
        if (cacheControl?.MaxAge is { } maxAge && maxAge < keepFor)
            keepFor = maxAge;
        if (keepFor <= TimeSpan.Zero)
            return;
        cache.Set(key, audio, new MemoryCacheEntryOptions { Size = audio.Samples.Length * sizeof(short), AbsoluteExpirationRelativeToNow = keepFor });
    }

    public void Dispose()
    {
        stopping.Cancel();
        stopping.Dispose();
        http.Dispose();
        cache.Dispose();
    }

    /// <summary>The cache's clock is the platform's, so expiry follows the clock tests move.</summary>
    sealed class CacheClock(TimeProvider time) : Microsoft.Extensions.Internal.ISystemClock
    {
        public DateTimeOffset UtcNow => time.GetUtcNow();
    }
}
