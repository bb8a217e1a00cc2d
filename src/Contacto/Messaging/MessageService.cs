using System.Text;
using System.Threading.RateLimiting;
using Contacto.Api;
using Contacto.Audit;
using Contacto.Crypto;
using Contacto.Numbers;
using Contacto.Carriers;
using Contacto.Smpp.Text;
using Contacto.Storage;
using Contacto.Webhooks;
using Microsoft.AspNetCore.Http;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Contacto.Messaging;

/// <summary>What a send asks for, read and checked for shape at the edge.</summary>
internal sealed record SendRequest(string Source, string Destinations, string Text, string? CallbackUrl, string CallbackMethod, bool Log, string? LogOnly = null);

/// <summary>What a send accepted: one id per valid destination, and the destinations refused.</summary>
internal sealed record SendResult(IReadOnlyList<Guid> MessageIds, IReadOnlyList<string> InvalidNumbers);

/// <summary>
/// One request's messages, sealed: the audit record each gets, and their <c>queued</c> callbacks;
/// also, in memory only, what goes to the carrier for each (for the <see cref="MessageHandoff"/>).
/// </summary>
internal sealed record PreparedSend(IReadOnlyList<Message> Messages, AuditEntry Record, IReadOnlyList<WebhookDelivery> Callbacks, IReadOnlyList<SmsRequest> Texts);

/// <summary>
/// Step 2 of a message's path: checks sender and destinations, counts segments, seals text and
/// numbers with the account's key, and writes each message (queued for the dispatcher), its audit record and
/// (with a <c>url</c>) its <c>queued</c> callback in one transaction. Only then does the API answer
/// 202, so an accepted message is never lost.
/// Sends of concurrent requests share transactions (group commit): one commit, many requests;
/// when that commit fails, every request in it gets a 503 and nothing of any of them is stored.
/// </summary>
internal sealed class MessageService : IAsyncDisposable
{

    readonly ITenantCrypto crypto;
    readonly MessageCallbacks callbacks;
    readonly NumberService numbers;
    readonly IAuditTrail audit;
    readonly IDbContextFactory<ContactoDbContext> contexts;
    readonly MessageSignal signal;
    readonly MessageHandoff handoff;
    readonly MessagingMetrics metrics;
    readonly IOptions<MessagingOptions> options;
    readonly TimeProvider time;
    readonly GroupCommit<PreparedSend> queue;

    public MessageService(ITenantCrypto crypto, MessageCallbacks callbacks, NumberService numbers, IAuditTrail audit, IDbContextFactory<ContactoDbContext> contexts,
        MessageSignal signal, MessageHandoff handoff, MessagingMetrics metrics, IOptions<MessagingOptions> options, TimeProvider time, ILogger<MessageService> logger)
    {
        (this.crypto, this.callbacks, this.numbers, this.audit, this.contexts, this.signal, this.handoff, this.metrics, this.options, this.time) =
            (crypto, callbacks, numbers, audit, contexts, signal, handoff, metrics, options, time);
        queue = new GroupCommit<PreparedSend>(CommitAsync, logger, maxBatch: 500);
        accountRate = PartitionedRateLimiter.Create<Guid, Guid>(account =>
            options.Value.AccountMessagesPerSecond <= 0
                ? RateLimitPartition.GetNoLimiter(account)
                : RateLimitPartition.GetTokenBucketLimiter(account, _ => new TokenBucketRateLimiterOptions
                {
                    TokenLimit = options.Value.AccountMessagesPerSecond,
                    TokensPerPeriod = options.Value.AccountMessagesPerSecond,
                    ReplenishmentPeriod = TimeSpan.FromSeconds(1),
                    QueueLimit = 0,
                }));
    }

    readonly PartitionedRateLimiter<Guid> accountRate;

    /// <param name="db">The caller's tenant-scoped context.</param>
    public async Task<SendResult> SendAsync(ContactoDbContext db, Guid accountId, SendRequest request, AuditEntry record, string? requesterIp, CancellationToken cancellationToken)
    {
        var (send, invalid) = await PrepareAsync(db, accountId, request, record, requesterIp, cancellationToken);
        var spans = send.Messages.Select(m => MessageTraces.Start("message.accept", m)).OfType<System.Diagnostics.Activity>().ToList();
        try
        {
            await queue.WriteAsync(send, cancellationToken);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // The whole batch rolled back (the group commit logs why): none of its messages exists.
            throw new ApiException(StatusCodes.Status503ServiceUnavailable, "the message(s) could not be stored; nothing was queued", TimeSpan.FromSeconds(1));
        }
        finally
        {
            foreach (var span in spans)
                span.Dispose();
        }
        Queued(send);
        return new SendResult([.. send.Messages.Select(m => m.Id)], invalid);
    }

    /// <summary>
    /// Checks a send as the API does and seals its messages, without storing them: for a caller
    /// that stores them in its own transaction with <see cref="AddAsync"/>, then calls <see cref="Queued"/>.
    /// Refusals are <see cref="ApiException"/>s, as the API gives them.
    /// </summary>
    public async Task<(PreparedSend Send, List<string> InvalidNumbers)> PrepareAsync(ContactoDbContext db, Guid accountId, SendRequest request,
        AuditEntry record, string? requesterIp, CancellationToken cancellationToken)
    {
        var settings = options.Value;
        var (sender, alphanumeric) = await SenderAsync(db, accountId, request.Source, cancellationToken);
        var destinations = request.Destinations.Split('<', StringSplitOptions.TrimEntries);
        if (destinations.Length > settings.MaxDestinations)
            throw ApiException.BadRequest($"dst has more than {settings.MaxDestinations} destinations");
        var valid = new List<(string E164, string Country)>();
        var invalid = new List<string>();
        foreach (var destination in destinations)
        {
            if (NumberPlan.TryParse(destination, out var e164, out var country) && e164 != sender
                && (!alphanumeric || NumberPlan.AllowsAlphanumericSender(country)))
                valid.Add((e164, country));
            else
                invalid.Add(destination);
        }
        if (valid.Count == 0)
            throw ApiException.BadRequest(alphanumeric
                ? "no valid destination number (alphanumeric sender ids cannot reach some countries)"
                : "no valid destination number: give numbers in international form, different from src");
        if (settings.AccountMessagesPerSecond > 0 && valid.Count > settings.AccountMessagesPerSecond)
            throw ApiException.BadRequest($"dst has more destinations than this account may send in a second ({settings.AccountMessagesPerSecond})");
        using (var permit = accountRate.AttemptAcquire(accountId, valid.Count))
        {
            if (!permit.IsAcquired)
                throw new ApiException(StatusCodes.Status429TooManyRequests, "too many messages: slow down",
                    permit.TryGetMetadata(MetadataName.RetryAfter, out var retryAfter) ? retryAfter : TimeSpan.FromSeconds(1));
        }
        return (await SealAsync(accountId, request, sender, alphanumeric, valid, requesterIp, record, cancellationToken), invalid);
    }

    /// <summary>
    /// Adds prepared sends (messages, audit records, callbacks) to the caller's transaction, the
    /// messages and records as multi-row inserts: tracking thousands of new rows would cost more
    /// than writing them. The caller's SaveChanges stores the callbacks and the advanced audit chain heads.
    /// </summary>
    public async Task AddAsync(ContactoDbContext db, IReadOnlyList<PreparedSend> sends, CancellationToken cancellationToken)
    {
        var messages = sends.SelectMany(s => s.Messages).ToList();
        if (messages.Count == 0)
            return;
        await BulkInsert.InsertAsync(db, messages, cancellationToken);
        await audit.AppendManyAsync(db, [.. sends.SelectMany(s => s.Messages.Select(m => s.Record with { ResourceId = m.Id.ToString() }))], cancellationToken);
        db.AddRange(sends.SelectMany(s => s.Callbacks)); // only messages with a url have one
    }

    /// <summary>After the commit: wakes the dispatcher and the callback sender, and counts the messages.</summary>
    public void Queued(PreparedSend send)
    {
        signal.Notify();
        if (send.Callbacks.Count > 0)
            callbacks.Notify();
        metrics.Accepted(send.Messages.Count);
    }

    /// <summary>The sender in E.164 form, owned by the account, or an alphanumeric sender id.</summary>
    async Task<(string Sender, bool Alphanumeric)> SenderAsync(ContactoDbContext db, Guid accountId, string source, CancellationToken cancellationToken)
    {
        if (NumberPlan.TryParse(source, out var e164, out _))
            return await numbers.FindAsync(db, accountId, e164, cancellationToken) is not null
                ? (e164, false)
                : throw ApiException.BadRequest("src is not a number of this account");
        return NumberPlan.IsAlphanumericSender(source)
            ? (source, true)
            : throw ApiException.BadRequest("src must be a number of this account or an alphanumeric sender id (3 to 11 letters and digits)");
    }

    // Key work happens before the transaction: on SQLite a key created inside it would wait on it.
    async Task<PreparedSend> SealAsync(Guid accountId, SendRequest request, string sender, bool alphanumeric,
        List<(string E164, string Country)> destinations, string? requesterIp, AuditEntry record, CancellationToken cancellationToken)
    {
        using var keys = await crypto.LeaseKeysAsync(accountId, cancellationToken);
        var now = time.GetUtcNow();
        var units = SmsPlanner.CountSegments(request.Text, TextProfile.Default);
        var text = Encoding.UTF8.GetBytes(request.Text);
        var from = Encoding.UTF8.GetBytes(sender);
        var fromIndex = alphanumeric ? null : keys.ComputeBlindIndex(NumberPlan.IndexPurpose, sender);
        List<Message> messages = [.. destinations.Select(destination =>
        {
            var id = Guid.CreateVersion7();
            return new Message
            {
                Id = id,
                AccountId = accountId,
                FromSealed = keys.Seal(Message.FromPurpose, id, from),
                ToSealed = keys.Seal(Message.ToPurpose, id, Encoding.UTF8.GetBytes(destination.E164)),
                TextSealed = keys.Seal(Message.TextPurpose, id, text),
                FromIndex = fromIndex,
                ToIndex = keys.ComputeBlindIndex(NumberPlan.IndexPurpose, destination.E164),
                AlphanumericSender = alphanumeric,
                DestinationCountry = destination.Country,
                Units = units,
                Log = request.Log,
                LogOnly = request.LogOnly,
                CallbackUrlSealed = request.CallbackUrl is null ? null : keys.Seal(Message.CallbackUrlPurpose, id, Encoding.UTF8.GetBytes(request.CallbackUrl)),
                CallbackMethod = request.CallbackUrl is null ? null : request.CallbackMethod,
                RequesterIp = requesterIp,
                CreatedAt = now,
                UpdatedAt = now,
                NextAttemptAt = now, // queued: due at once
            };
        })];
        List<WebhookDelivery> queued = request.CallbackUrl is null ? [] :
            [.. messages.Select((m, i) => callbacks.Prepare(keys, m, MessageCallbacks.Of(sender, destinations[i].E164)))];
        return new PreparedSend(messages, record, queued, [.. destinations.Select(d => new SmsRequest(sender, alphanumeric, d.E164, request.Text))]);
    }

    /// <summary>
    /// Writes the sends of many requests in one transaction. The messages the hand-off has room
    /// for are stored claimed by this node and handed to its dispatcher once committed.
    /// </summary>
    async Task CommitAsync(IReadOnlyList<PreparedSend> sends)
    {
        var leaseEnds = time.GetUtcNow() + TimeSpan.FromSeconds(options.Value.ClaimLeaseSeconds);
        var handed = new List<MessageHandoff.Handed>();
        foreach (var send in sends)
            for (var i = 0; i < send.Messages.Count && handoff.TryReserve(); i++)
            {
                // Claimed as a claim would, and not due before the lease ends either, so that the
                // claims of other nodes do not pass it by at the head of the queue.
                send.Messages[i].NextAttemptAt = send.Messages[i].ClaimedUntil = leaseEnds;
                handed.Add(new(send.Messages[i], send.Texts[i]));
            }
        try
        {
            await using var db = contexts.CreateDbContext();
            await using var transaction = await db.Database.BeginTransactionAsync();
            await AddAsync(db, sends, CancellationToken.None);
            await db.SaveChangesAsync();
            await transaction.CommitAsync();
        }
        catch
        {
            handoff.Release(handed.Count);
            throw;
        }
        handoff.Add(handed);
    }

    public async ValueTask DisposeAsync()
    {
        await queue.DisposeAsync();
        accountRate.Dispose();
    }
}
