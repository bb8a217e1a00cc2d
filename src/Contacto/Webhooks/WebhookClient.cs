using System.Diagnostics;
using Microsoft.Extensions.Options;

namespace Contacto.Webhooks;

/// <summary>What became of one attempt.</summary>
public enum AttemptOutcome
{
    Delivered,

    /// <summary>Time-out, connection failure, 5xx or 429: try again later.</summary>
    Retry,

    /// <summary>Refused by policy, or a 4xx the endpoint meant: trying again will not help.</summary>
    GiveUp,
}

internal sealed record AttemptResult(AttemptOutcome Outcome, int? Status, TimeSpan Latency, string? Error, WebhookReply? Reply = null);

/// <summary>One callback to send: where, how, what, the tokens that sign it, and whether a 2xx answer's body is wanted.</summary>
internal sealed record Callback(string Url, string Method, IReadOnlyList<KeyValuePair<string, string>> Fields, string AuthToken, string MainAuthToken, bool ReadsReply = false);

/// <summary>
/// Sends callbacks safely. Each new connection resolves its host, checks every address and connects
/// to one of exactly those (<see cref="OutboundUrlPolicy.ConnectAsync"/>), with TLS 1.2 or 1.3 only
/// (<see cref="OutboundHttp"/>). Redirects are followed
/// by hand, each target checked the same way, never from https to http. One deadline
/// (<see cref="WebhookOptions.TimeoutSeconds"/>) covers the whole attempt: resolving, connecting,
/// TLS, every redirect and reading the answer. Every request carries Plivo's V3 and V2 signature
/// headers for the URL it is sent to.
/// </summary>
internal sealed class WebhookClient : IDisposable
{
    /// <summary>Replies are read up to Plivo's cap for XML answers, 100 KB.</summary>
    public const int MaxReplyBytes = 100 * 1024;

    readonly OutboundUrlPolicy policy;
    readonly WebhookOptions options;
    readonly HttpMessageInvoker http;

    public WebhookClient(OutboundUrlPolicy policy, IOptions<WebhookOptions> options) : this(policy, options, null)
    {
    }

    /// <param name="adjust">Changes to the handler, for tests (a test CA to trust).</param>
    internal WebhookClient(OutboundUrlPolicy policy, IOptions<WebhookOptions> options, Action<SocketsHttpHandler>? adjust)
    {
        this.policy = policy;
        this.options = options.Value;
        var handler = OutboundHttp.CreateHandler(TimeSpan.FromSeconds(this.options.TimeoutSeconds), policy);
        adjust?.Invoke(handler);
        http = new HttpMessageInvoker(handler);
    }

    public async Task<AttemptResult> SendAsync(Callback callback, CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(TimeSpan.FromSeconds(options.TimeoutSeconds));
        var url = callback.Url;
        var method = callback.Method.ToUpperInvariant();
        var fields = callback.Fields;
        for (var hop = 0; ; hop++)
        {
            if (OutboundUrlPolicy.FormProblem(url, out var target) is { } formProblem)
                return new AttemptResult(AttemptOutcome.GiveUp, null, clock.Elapsed, $"the URL {formProblem}");
            using var request = Build(method, target!, fields, callback);
            HttpResponseMessage response;
            try
            {
                response = await http.SendAsync(request, deadline.Token);
            }
            catch (HttpRequestException e) when (e.InnerException is RefusedAddressException refused)
            {
                return new AttemptResult(AttemptOutcome.GiveUp, null, clock.Elapsed, $"refused: {refused.Message}");
            }
            catch (Exception e) when (e is HttpRequestException or IOException or OperationCanceledException && !cancellationToken.IsCancellationRequested)
            {
                return new AttemptResult(AttemptOutcome.Retry, null, clock.Elapsed, e is OperationCanceledException ? "timed out" : "connection failed");
            }
            using (response)
            {
                var status = (int)response.StatusCode;
                if (OutboundHttp.FollowRedirect(target!, response, hop, options.MaxRedirects, out var next) is { } redirectProblem)
                    return new AttemptResult(AttemptOutcome.GiveUp, status, clock.Elapsed, redirectProblem);
                if (next is not null)
                {
                    url = next.ToString();
                    if (status is 301 or 302 or 303 && method == "POST")
                    {
                        // As browsers do: the body becomes the query of a GET.
                        url = WithQuery(new Uri(url), fields);
                        method = "GET";
                        fields = [];
                    }
                    continue;
                }
                var outcome = status switch
                {
                    >= 200 and < 300 => AttemptOutcome.Delivered,
                    429 or >= 500 => AttemptOutcome.Retry,
                    _ => AttemptOutcome.GiveUp,
                };
                var reply = outcome == AttemptOutcome.Delivered && callback.ReadsReply ? await ReadReplyAsync(response, deadline.Token) : null;
                return new AttemptResult(outcome, status, clock.Elapsed, outcome == AttemptOutcome.Delivered ? null : $"answered {status}", reply);
            }
        }
    }

    /// <summary>The answer's body, or none when it is larger than <see cref="MaxReplyBytes"/> or breaks off: the callback itself was delivered.</summary>
    static async Task<WebhookReply> ReadReplyAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        var type = response.Content.Headers.ContentType?.MediaType;
        var buffer = new byte[MaxReplyBytes + 1];
        var length = 0;
        try
        {
            await using var stream = await response.Content.ReadAsStreamAsync(cancellationToken);
            int read;
            while (length < buffer.Length && (read = await stream.ReadAsync(buffer.AsMemory(length), cancellationToken)) > 0)
                length += read;
        }
        catch (Exception e) when (e is HttpRequestException or IOException or OperationCanceledException)
        {
            return new WebhookReply(type, null, TooLarge: false);
        }
        return length > MaxReplyBytes
            ? new WebhookReply(type, null, TooLarge: true)
            : new WebhookReply(type, System.Text.Encoding.UTF8.GetString(buffer, 0, length), TooLarge: false);
    }

    static HttpRequestMessage Build(string method, Uri url, IReadOnlyList<KeyValuePair<string, string>> fields, Callback callback)
    {
        var nonce = PlivoSignature.NewNonce();
        HttpRequestMessage request;
        if (method == "GET")
        {
            var full = fields.Count == 0 ? url : new Uri(WithQuery(url, fields));
            request = new HttpRequestMessage(HttpMethod.Get, full);
            Sign(request, "GET", full, [], nonce, callback);
        }
        else
        {
            request = new HttpRequestMessage(HttpMethod.Post, url) { Content = new FormUrlEncodedContent(fields) };
            Sign(request, "POST", url, fields, nonce, callback);
        }
        request.Headers.UserAgent.ParseAdd("Contacto-Webhook/1.0");
        return request;
    }

    static void Sign(HttpRequestMessage request, string method, Uri url, IReadOnlyList<KeyValuePair<string, string>> fields, string nonce, Callback callback)
    {
        request.Headers.Add(PlivoSignature.V3NonceHeader, nonce);
        request.Headers.Add(PlivoSignature.V3Header, PlivoSignature.V3(method, url, fields, nonce, callback.AuthToken));
        request.Headers.Add(PlivoSignature.V3MainAccountHeader, PlivoSignature.V3(method, url, fields, nonce, callback.MainAuthToken));
        var nonceV2 = PlivoSignature.NewNonce();
        request.Headers.Add(PlivoSignature.V2NonceHeader, nonceV2);
        request.Headers.Add(PlivoSignature.V2Header, PlivoSignature.V2(url, nonceV2, callback.AuthToken));
        request.Headers.Add(PlivoSignature.V2MainAccountHeader, PlivoSignature.V2(url, nonceV2, callback.MainAuthToken));
    }

    static string WithQuery(Uri url, IReadOnlyList<KeyValuePair<string, string>> fields)
    {
        var added = string.Join('&', fields.Select(f => $"{Uri.EscapeDataString(f.Key)}={Uri.EscapeDataString(f.Value)}"));
        var builder = new UriBuilder(url) { Query = url.Query.Length > 1 ? $"{url.Query[1..]}&{added}" : added };
        return builder.Uri.ToString();
    }

    public void Dispose() => http.Dispose();
}
