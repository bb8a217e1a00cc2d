using System.Globalization;
using System.Text;
using Contacto.Crypto;
using Contacto.Numbers;
using Contacto.Storage;
using Contacto.Webhooks;

namespace Contacto.Messaging;

/// <summary>
/// Step 5 of a message's path: Plivo's status callback for each state a message with a
/// <c>url</c> reaches (queued, sent, failed, delivered, undelivered), put in the webhook outbox in
/// the transaction that records the state. Messages without a url cost nothing here. Sealing
/// happens per batch and account with one key lease, before the caller's transaction.
/// </summary>
/// <remarks>
/// A callback needs From and To in clear. Where they are already open (acceptance, dispatch) the
/// caller passes them; a receipt opens them with <see cref="OpenNumbersAsync"/> before the final
/// state erases them (<c>log=false</c>), so the callback still carries them, sealed in the outbox.
/// </remarks>
internal sealed class MessageCallbacks(ITenantCrypto crypto, WebhookOutbox outbox)
{
    /// <summary>A message's numbers as Plivo writes them: digits without '+', or the alphanumeric sender id.</summary>
    public readonly record struct Numbers(string From, string To);

    public static bool Wanted(Message message) => message.CallbackUrlSealed is not null;

    /// <summary>Opens the numbers of the messages that want callbacks, one key lease per account.</summary>
    public Task<Dictionary<Guid, Numbers>> OpenNumbersAsync(IEnumerable<Message> messages, CancellationToken cancellationToken) =>
        SealedFields.OpenAsync(crypto, messages.Where(m => Wanted(m) && m.FromSealed is not null && m.ToSealed is not null),
            (message, open) => Of(open(Message.FromPurpose, message.FromSealed!), open(Message.ToPurpose, message.ToSealed!)), cancellationToken);

    public static Numbers Of(string from, string to) => new(NumberPlan.Bare(from), NumberPlan.Bare(to));

    /// <summary>
    /// Adds to <paramref name="db"/> a callback reporting the current state of each message that
    /// wants one; returns whether it added any (then <see cref="Notify"/> after the commit).
    /// Call it before the transaction: it seals.
    /// </summary>
    public async Task<bool> AddAsync(ContactoDbContext db, IEnumerable<Message> messages, Func<Guid, Numbers> numbers, CancellationToken cancellationToken)
    {
        var added = false;
        foreach (var account in messages.Where(Wanted).GroupBy(m => m.AccountId))
        {
            using var keys = await crypto.LeaseKeysAsync(account.Key, cancellationToken);
            foreach (var message in account)
                db.Add(Prepare(keys, message, numbers(message.Id)));
            added = true;
        }
        return added;
    }

    /// <summary>The callback for the message's current state, sealed with keys the caller holds.</summary>
    public WebhookDelivery Prepare(TenantKeyLease keys, Message message, Numbers numbers) =>
        outbox.Prepare(keys, message.Id.ToString(), Encoding.UTF8.GetString(keys.Open(Message.CallbackUrlPurpose, message.Id, message.CallbackUrlSealed!)),
            message.CallbackMethod ?? "POST", Fields(message, numbers), OrderedAt(message));

    /// <summary>
    /// The outbox sends one message's callbacks in this order, to the millisecond. Each state is
    /// placed at least a millisecond after the one before it, so a receipt that comes within the
    /// millisecond of its submit cannot overtake the <c>sent</c> callback.
    /// </summary>
    static DateTimeOffset OrderedAt(Message message)
    {
        var queued = message.CreatedAt;
        if (message.State == MessageStates.Queued)
            return queued;
        var taken = Max(message.SentAt ?? message.UpdatedAt, queued + OneMillisecond);
        return message.State is MessageStates.Sent or MessageStates.Failed ? taken : Max(message.UpdatedAt, taken + OneMillisecond);
    }

    static readonly TimeSpan OneMillisecond = TimeSpan.FromMilliseconds(1);

    static DateTimeOffset Max(DateTimeOffset a, DateTimeOffset b) => a > b ? a : b;

    public void Notify() => outbox.Notify();

    /// <summary>
    /// Plivo's status callback parameters. ErrorCode only for failed and undelivered, SentTime
    /// once the carrier took it, DeliveryReportTime with the receipt. One callback per message
    /// (not per part): PartInfo "1 of 1", Units the segment count. No rating yet: amounts are zero,
    /// MCC, MNC and PowerpackUUID empty.
    /// </summary>
    public static List<KeyValuePair<string, string>> Fields(Message message, Numbers numbers)
    {
        var id = message.Id.ToString();
        var fields = new List<KeyValuePair<string, string>>(20)
        {
            new("MessageUUID", id),
            new("ParentMessageUUID", id),
            new("PartInfo", "1 of 1"),
            new("Sequence", "1"),
            new("From", numbers.From ?? ""),
            new("To", numbers.To ?? ""),
            new("Type", message.Type),
            new("Status", message.State),
            new("Units", message.Units.ToString(CultureInfo.InvariantCulture)),
            new("TotalRate", "0.00000"),
            new("TotalAmount", "0.00000"),
            new("MCC", ""),
            new("MNC", ""),
            new("MessageTime", Time(message.CreatedAt)),
            new("QueuedTime", Time(message.CreatedAt)),
            new("requester_ip", message.RequesterIp ?? ""),
            new("PowerpackUUID", ""),
        };
        if (message.SentAt is { } sent)
            fields.Add(new("SentTime", Time(sent)));
        if (message.State is MessageStates.Delivered or MessageStates.Undelivered)
            fields.Add(new("DeliveryReportTime", Time(message.UpdatedAt)));
        if (message.State is MessageStates.Failed or MessageStates.Undelivered)
            fields.Add(new("ErrorCode", message.ErrorCode ?? MessageErrors.Unknown));
        return fields;
    }

    /// <summary>Plivo's callback time format, UTC: <c>YYYY-mm-dd HH:MM:SS.SSSSSS</c>.</summary>
    static string Time(DateTimeOffset instant) => instant.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss.ffffff", CultureInfo.InvariantCulture);
}
