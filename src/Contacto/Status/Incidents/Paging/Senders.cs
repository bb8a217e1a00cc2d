using System.Globalization;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using MailKit.Net.Smtp;
using MailKit.Security;
using Microsoft.Extensions.Options;

namespace Contacto.Status.Incidents.Paging;

/// <summary>
/// Posting to an operator-configured https URL, and what the answer means for a retry. The client is an
/// outbound one (<see cref="Webhooks.OutboundHttp"/>): TLS 1.2+, public addresses only unless allow-listed
/// (<c>Webhooks:AllowedNetworks</c>), checked and pinned, no redirects, 15 s in all.
/// </summary>
static class HttpDelivery
{
    public const string ClientName = "Contacto.Paging";

    public static async Task<SendOutcome> PostAsync(IHttpClientFactory clients, string url, HttpContent content, CancellationToken cancellationToken)
    {
        // Checked at start too; checked again here because configuration is the only thing that reaches this URL.
        if (!PagingOptionsValidator.IsHttpsUrl(url))
            return SendOutcome.Permanent("not an https URL");
        var uri = new Uri(url);
        using var client = clients.CreateClient(ClientName);
        using var request = new HttpRequestMessage(HttpMethod.Post, uri) { Content = content };
        // Only the status matters: the answer's body is never read, whatever its size.
        HttpResponseMessage response;
        try
        {
            response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
        }
        catch (HttpRequestException e) when (e.InnerException is Webhooks.RefusedAddressException refused)
        {
            return SendOutcome.Permanent($"refused: {refused.Message}");
        }
        using var _ = response;
        var status = (int)response.StatusCode;
        return response.IsSuccessStatusCode ? SendOutcome.Ok
            : status is 408 or 429 or >= 500 ? SendOutcome.Transient($"HTTP {status}")
            : SendOutcome.Permanent($"HTTP {status}");
    }
}

/// <summary>PagerDuty Events API v2: <c>trigger</c> with the incident id as <c>dedup_key</c>, then <c>resolve</c>.</summary>
sealed class PagerDutySender(IHttpClientFactory clients, IOptions<PagingOptions> options) : IPageSender
{
    public PageTargetKind Kind => PageTargetKind.PagerDuty;

    public Task<SendOutcome> SendAsync(PageMessage message, PageTargetOptions target, CancellationToken cancellationToken)
    {
        var dedupKey = message.IncidentId.ToString();
        object body = message.Action == PageAction.Open
            ? new
            {
                routing_key = target.RoutingKey,
                event_action = "trigger",
                dedup_key = dedupKey,
                payload = new
                {
                    summary = message.Summary,
                    source = options.Value.Source,
                    severity = Severity(message.Priority),
                    timestamp = message.CreatedAt.UtcDateTime.ToString("o", CultureInfo.InvariantCulture),
                    component = "contacto",
                    group = "status",
                    @class = "incident",
                    custom_details = new { priority = $"P{message.Priority}", details = message.Details },
                },
                links = message.Link is { } link ? new[] { new { href = link, text = "Status page" } } : [],
                client = "Contacto",
            }
            : new { routing_key = target.RoutingKey, event_action = "resolve", dedup_key = dedupKey };
        return HttpDelivery.PostAsync(clients, target.Url ?? PageTargetOptions.PagerDutyEventsUrl, JsonContent.Create(body), cancellationToken);
    }

    static string Severity(int priority) => priority switch
    {
        1 => "critical",
        2 => "error",
        3 => "warning",
        _ => "info",
    };
}

/// <summary>
/// A signed JSON post. <c>X-Contacto-Signature: t=UNIX,v1=HEX</c>, where HEX is the HMAC-SHA256 of
/// <c>"{t}.{body}"</c> under the target's secret: the receiver can check origin and freshness.
/// </summary>
sealed class WebhookSender(IHttpClientFactory clients, TimeProvider time) : IPageSender
{
    public const string SignatureHeader = "X-Contacto-Signature";

    public PageTargetKind Kind => PageTargetKind.Webhook;

    public Task<SendOutcome> SendAsync(PageMessage message, PageTargetOptions target, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var headline = $"{(message.IsPage ? "PAGE " : "")}{message.Summary}";
        object payload = target.Slack
            ? new { text = message.Link is { } link ? $"{headline}\n{message.Details}\n{link}" : $"{headline}\n{message.Details}" }
            : new
            {
                @event = message.Action == PageAction.Open ? "incident.opened" : "incident.resolved",
                page = message.IsPage,
                incident = new { id = message.IncidentId.ToString(), priority = $"P{message.Priority}", link = message.Link },
                summary = message.Summary,
                details = message.Details,
                sent_at = now.UtcDateTime.ToString("o", CultureInfo.InvariantCulture),
            };
        var body = JsonSerializer.SerializeToUtf8Bytes(payload);
        var content = new ByteArrayContent(body);
        content.Headers.ContentType = new("application/json") { CharSet = "utf-8" };
        content.Headers.Add(SignatureHeader, Sign(target.Secret!, now.ToUnixTimeSeconds(), body));
        return HttpDelivery.PostAsync(clients, target.Url!, content, cancellationToken);
    }

    public static string Sign(string secret, long timestamp, ReadOnlySpan<byte> body)
    {
        var signed = Encoding.UTF8.GetBytes($"{timestamp.ToString(CultureInfo.InvariantCulture)}.").Concat(body.ToArray()).ToArray();
        var mac = HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), signed);
        return $"t={timestamp.ToString(CultureInfo.InvariantCulture)},v1={Convert.ToHexStringLower(mac)}";
    }
}

/// <summary>E-mail through the platform's <see cref="Mail.Mailer"/>; what an SMTP failure means for a retry.</summary>
sealed class EmailSender(Mail.Mailer mailer) : IPageSender
{
    public PageTargetKind Kind => PageTargetKind.Email;

    public async Task<SendOutcome> SendAsync(PageMessage message, PageTargetOptions target, CancellationToken cancellationToken)
    {
        try
        {
            // All of it stays inside the dispatcher's claim: the mailer times out each step.
            await mailer.SendAsync(target.To, $"{(message.IsPage ? "PAGE " : "")}{message.Summary}",
                message.Link is { } link ? $"{message.Details}\n\n{link}\n" : $"{message.Details}\n", cancellationToken);
            return SendOutcome.Ok;
        }
        catch (SmtpCommandException e) when ((int)e.StatusCode >= 500)
        {
            return SendOutcome.Permanent($"SMTP {(int)e.StatusCode}");
        }
        catch (SmtpCommandException e)
        {
            return SendOutcome.Transient($"SMTP {(int)e.StatusCode}");
        }
        catch (AuthenticationException)
        {
            return SendOutcome.Permanent("SMTP authentication failed");
        }
    }
}
