using System.Text.Json;
using Contacto.Crypto;
using Contacto.Storage;

namespace Contacto.Webhooks;

/// <summary>
/// How capabilities send callbacks: <see cref="PrepareAsync"/> seals the callback (before any
/// transaction: key work must not happen inside one), the caller adds the returned delivery in
/// the same transaction as the state change it reports, and after commit calls
/// <see cref="Notify"/> so this node sends it at once rather than at the next poll.
/// </summary>
public sealed class WebhookOutbox(ITenantCrypto crypto, TimeProvider time)
{
    public const string UrlPurpose = "webhook.url";
    public const string FieldsPurpose = "webhook.fields";

    readonly System.Threading.Channels.Channel<bool> signal =
        System.Threading.Channels.Channel.CreateBounded<bool>(new System.Threading.Channels.BoundedChannelOptions(1)
        {
            FullMode = System.Threading.Channels.BoundedChannelFullMode.DropWrite,
        });

    /// <param name="subject">What the callback is about, when a capability follows its outcome (<see cref="IWebhookOutcomeHandler"/>).</param>
    public async Task<WebhookDelivery> PrepareAsync(Guid accountId, string orderingKey, string url, string method,
        IReadOnlyList<KeyValuePair<string, string>> fields, CancellationToken cancellationToken, WebhookSubject? subject = null)
    {
        var id = Guid.CreateVersion7();
        var now = time.GetUtcNow();
        return new WebhookDelivery
        {
            Id = id,
            AccountId = accountId,
            OrderingKey = orderingKey,
            Subject = subject?.Kind,
            SubjectId = subject?.Id,
            Method = method.ToUpperInvariant() == "GET" ? "GET" : "POST",
            UrlSealed = await crypto.SealAsync(accountId, UrlPurpose, id, System.Text.Encoding.UTF8.GetBytes(url), cancellationToken),
            FieldsSealed = await crypto.SealAsync(accountId, FieldsPurpose, id, JsonSerializer.SerializeToUtf8Bytes(fields.Select(f => new[] { f.Key, f.Value })), cancellationToken),
            CreatedAt = now,
            NextAttemptAt = now,
        };
    }

    public async Task<(string Url, List<KeyValuePair<string, string>> Fields)> OpenAsync(WebhookDelivery delivery, CancellationToken cancellationToken)
    {
        var url = System.Text.Encoding.UTF8.GetString(await crypto.OpenAsync(delivery.AccountId, UrlPurpose, delivery.Id, delivery.UrlSealed, cancellationToken));
        var pairs = JsonSerializer.Deserialize<string[][]>(await crypto.OpenAsync(delivery.AccountId, FieldsPurpose, delivery.Id, delivery.FieldsSealed, cancellationToken))!;
        return (url, pairs.Select(p => new KeyValuePair<string, string>(p[0], p[1])).ToList());
    }

    public void Notify() => signal.Writer.TryWrite(true);

    /// <summary>Completes when <see cref="Notify"/> was called (now or since the last wait).</summary>
    internal async Task WaitForNoticeAsync(CancellationToken cancellationToken)
    {
        await signal.Reader.WaitToReadAsync(cancellationToken);
        signal.Reader.TryRead(out _);
    }
}
