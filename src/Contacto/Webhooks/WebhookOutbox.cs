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
internal sealed class WebhookOutbox(ITenantCrypto crypto, TimeProvider time)
{
    public const string UrlPurpose = "webhook.url";
    public const string FieldsPurpose = "webhook.fields";

    readonly System.Threading.Channels.Channel<bool> signal =
        System.Threading.Channels.Channel.CreateBounded<bool>(new System.Threading.Channels.BoundedChannelOptions(1)
        {
            FullMode = System.Threading.Channels.BoundedChannelFullMode.DropWrite,
        });

    public async Task<WebhookDelivery> PrepareAsync(Guid accountId, string orderingKey, string url, string method,
        IReadOnlyList<KeyValuePair<string, string>> fields, CancellationToken cancellationToken)
    {
        using var keys = await crypto.LeaseKeysAsync(accountId, cancellationToken);
        return Prepare(keys, orderingKey, url, method, fields);
    }

    /// <summary>
    /// Seals with keys the caller already holds: a batch of callbacks for one account costs one
    /// key lookup. Like <see cref="PrepareAsync"/>, call it before the transaction.
    /// </summary>
    /// <param name="orderedAt">When the reported event happened, if not now: callbacks of one
    /// ordering key go out in this order (to the millisecond).</param>
    /// <param name="subject">What the callback is about, when a capability follows its outcome (<see cref="IWebhookOutcomeHandler"/>).</param>
    public WebhookDelivery Prepare(TenantKeyLease keys, string orderingKey, string url, string method,
        IReadOnlyList<KeyValuePair<string, string>> fields, DateTimeOffset? orderedAt = null, WebhookSubject? subject = null)
    {
        var now = time.GetUtcNow();
        var id = OrderedIds.Next(now); // breaks ties between callbacks of one key ordered in the same millisecond
        return new WebhookDelivery
        {
            Id = id,
            AccountId = keys.AccountId,
            OrderingKey = orderingKey,
            Subject = subject?.Kind,
            SubjectId = subject?.Id,
            Method = method.ToUpperInvariant() == "GET" ? "GET" : "POST",
            UrlSealed = keys.Seal(UrlPurpose, id, System.Text.Encoding.UTF8.GetBytes(url)),
            FieldsSealed = keys.Seal(FieldsPurpose, id, JsonSerializer.SerializeToUtf8Bytes(fields.Select(f => new[] { f.Key, f.Value }))),
            CreatedAt = orderedAt ?? now,
            NextAttemptAt = now,
        };
    }

    /// <summary>The URL and fields, with keys of the delivery's account the caller holds.</summary>
    public static (string Url, List<KeyValuePair<string, string>> Fields) Open(TenantKeyLease keys, WebhookDelivery delivery) =>
        (System.Text.Encoding.UTF8.GetString(keys.Open(UrlPurpose, delivery.Id, delivery.UrlSealed)), OpenFields(keys, delivery));

    /// <summary>The fields alone, for showing a callback to its owner without its URL (which may hold a secret).</summary>
    public static List<KeyValuePair<string, string>> OpenFields(TenantKeyLease keys, WebhookDelivery delivery)
    {
        var pairs = JsonSerializer.Deserialize<string[][]>(keys.Open(FieldsPurpose, delivery.Id, delivery.FieldsSealed))!;
        return pairs.Select(p => new KeyValuePair<string, string>(p[0], p[1])).ToList();
    }

    public void Notify() => signal.Writer.TryWrite(true);

    /// <summary>Completes when <see cref="Notify"/> was called (now or since the last wait).</summary>
    internal async Task WaitForNoticeAsync(CancellationToken cancellationToken)
    {
        await signal.Reader.WaitToReadAsync(cancellationToken);
        signal.Reader.TryRead(out _);
    }
}
