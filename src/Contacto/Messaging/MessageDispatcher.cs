using Contacto.Numbers;
using Contacto.Carriers;
using Contacto.Crypto;
using Contacto.Storage;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Contacto.Messaging;

/// <summary>
/// Step 3 of a message's path: takes the messages this node accepted (<see cref="MessageHandoff"/>)
/// and claims queued ones in batches, hands each to the carrier router for its country (which
/// fails over to another carrier when the first fails: link down, time-out, refusal), and records
/// the outcome (<c>sent</c> with the carrier's ids, a retry later, or <c>failed</c>) in one
/// transaction that also takes the message out of the queue and holds the status callbacks.
/// </summary>
/// <remarks>
/// Delivery to the carrier is at least once: a node that stops between the carrier's
/// acknowledgement and that transaction leaves its claim to lapse, and the message is sent again
/// after <see cref="MessagingOptions.ClaimLeaseSeconds"/>. A submit that timed out may also have
/// reached the first carrier before it goes to the second. A pass stops submitting a quarter of
/// a lease before the first of its messages' leases ends, so a claim that lapses under a slow
/// carrier is not sent twice.
/// </remarks>
internal sealed partial class MessageDispatcher(
    IDbContextFactory<ContactoDbContext> contexts,
    ITenantCrypto crypto,
    MessageCallbacks callbacks,
    CarrierRouter carriers,
    MessageSignal signal,
    MessageHandoff handoff,
    IOptions<MessagingOptions> options,
    MessagingMetrics metrics,
    TimeProvider time,
    ILogger<MessageDispatcher> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var settings = options.Value;
        handoff.Open();
        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                var taken = 0;
                try
                {
                    taken = await DispatchOnceAsync(stoppingToken);
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    LogPassFailed(e.GetType().Name);
                }
                if (taken < settings.BatchSize)
                    await signal.WaitAsync(TimeSpan.FromMilliseconds(settings.PollMilliseconds), stoppingToken);
            }
        }
        finally
        {
            await GiveUpAsync(handoff.Close());
        }
    }

    /// <summary>
    /// One pass: take handed-off messages and claim queued ones, submit, record. Returns how
    /// many messages it took. A quarter of each batch is claimed from the database even while
    /// hand-offs abound, so retries and other nodes' orphans are not starved.
    /// </summary>
    public async Task<int> DispatchOnceAsync(CancellationToken cancellationToken)
    {
        var settings = options.Value;
        var lease = TimeSpan.FromSeconds(settings.ClaimLeaseSeconds);
        await using var db = contexts.CreateDbContext();
        var startedAt = time.GetUtcNow();
        var (handed, stale) = handoff.Take(settings.BatchSize - settings.BatchSize / 4, startedAt, lease);
        await GiveUpAsync(stale);
        var claimed = await MessageQueue.ClaimAsync(db, settings.BatchSize - handed.Count, startedAt, lease, cancellationToken);
        List<Message> messages = [.. handed.Select(h => h.Message), .. claimed];
        if (messages.Count == 0)
            return 0;
        var texts = await OpenAsync(claimed, cancellationToken);
        foreach (var (message, text) in handed)
            texts[message.Id] = text;
        // Submits stop a quarter of a lease before the first of the pass's leases ends (a slow,
        // rate-limited carrier): what this pass has not sent by then is left to the next claim,
        // here or on another node, rather than sent by both.
        var submitBy = messages.Min(m => m.ClaimedUntil!.Value) - lease / 4;
        using var leaseEnds = new CancellationTokenSource(submitBy - time.GetUtcNow() is { Ticks: > 0 } left ? left : TimeSpan.Zero, time);
        using var submitting = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, leaseEnds.Token);
        var outcomes = await Task.WhenAll(messages.Select(m => texts.TryGetValue(m.Id, out var text)
            ? SendAsync(m, text, submitting.Token)
            : Task.FromResult<CarrierOutcome?>(CarrierOutcome.Refused(CarrierError.Unknown))));
        var now = time.GetUtcNow();
        var records = new Records();
        for (var i = 0; i < messages.Count; i++)
            Record(records, messages[i], outcomes[i], now);
        // What the carriers took is recorded even when the node is stopping, or it would be sent again.
        // Sent or failed: the callbacks carry the numbers opened for the carrier.
        var reported = await callbacks.AddAsync(db, records.Moved,
            id => texts.TryGetValue(id, out var text) ? MessageCallbacks.Of(text.From, text.To) : default, CancellationToken.None);
        await using (var transaction = await db.Database.BeginTransactionAsync(CancellationToken.None))
        {
            await BulkInsert.InsertAsync(db, records.Parts, CancellationToken.None);
            await MessageStateWrites.WriteAsync(db, records.Moved, CancellationToken.None);
            await MessageStateWrites.WriteRetriesAsync(db, records.Retried, CancellationToken.None);
            await db.SaveChangesAsync(CancellationToken.None); // the callbacks
            await transaction.CommitAsync(CancellationToken.None);
        }
        if (reported)
            callbacks.Notify();
        return messages.Count;
    }

    /// <summary>
    /// Makes messages handed to this dispatcher and not sent from here due again, so that any node
    /// claims them at once. Only a lease still this node's is given up: one that lapsed may have
    /// been claimed by another node since.
    /// </summary>
    async Task GiveUpAsync(List<MessageHandoff.Handed> unsent)
    {
        if (unsent.Count == 0)
            return;
        try
        {
            await using var db = contexts.CreateDbContext();
            var now = time.GetUtcNow();
            foreach (var lease in unsent.GroupBy(h => h.Message.ClaimedUntil, h => h.Message.Id))
            {
                var ids = lease.ToList();
                await db.Set<Message>().Where(m => ids.Contains(m.Id) && m.ClaimedUntil == lease.Key).ExecuteUpdateAsync(set => set
                    .SetProperty(m => m.NextAttemptAt, now).SetProperty(m => m.ClaimedUntil, (DateTimeOffset?)null), CancellationToken.None);
            }
        }
        catch (Exception e)
        {
            LogGiveBackFailed(unsent.Count, e.GetType().Name);
        }
    }

    /// <summary>What a pass writes: messages moved out of the queue or back into it, parts submitted.</summary>
    sealed class Records
    {
        public List<Message> Moved { get; } = [];
        public List<Message> Retried { get; } = [];
        public List<MessagePart> Parts { get; } = [];
    }

    Task<Dictionary<Guid, SmsRequest>> OpenAsync(IEnumerable<Message> messages, CancellationToken cancellationToken) =>
        SealedFields.OpenAsync(crypto, messages.Where(m => m.TextSealed is not null), (message, open) => new SmsRequest(
            open(Message.FromPurpose, message.FromSealed!), message.AlphanumericSender, open(Message.ToPurpose, message.ToSealed!),
            open(Message.TextPurpose, message.TextSealed!)), cancellationToken);

    /// <summary>The router's outcome, or null when the pass let the message go unsent.</summary>
    async Task<CarrierOutcome?> SendAsync(Message message, SmsRequest text, CancellationToken cancellationToken)
    {
        using var span = MessageTraces.Start("message.submit", message);
        try
        {
            var outcome = await carriers.SendAsync(message.DestinationCountry, text, cancellationToken);
            span?.SetTag("contacto.carrier.outcome", outcome.Kind.ToString()).SetTag("contacto.carrier.name", outcome.Carrier);
            return outcome;
        }
        catch (OperationCanceledException)
        {
            // The lease is ending (or the node stopping) while it waited for a carrier.
            span?.SetTag("contacto.carrier.outcome", "released");
            return null;
        }
    }

    void Record(Records records, Message message, CarrierOutcome? outcome, DateTimeOffset now)
    {
        switch (outcome)
        {
            case null:
                break; // untouched: claimable again when its lease lapses
            case { Kind: CarrierOutcomeKind.Accepted }:
                foreach (var reference in outcome.References)
                    records.Parts.Add(new MessagePart { Carrier = outcome.Carrier!, CarrierMessageId = reference, MessageId = message.Id });
                message.MoveTo(MessageStates.Sent, null, now);
                (message.Carrier, message.SentAt, message.Units) = (outcome.Carrier, now, outcome.Units);
                records.Moved.Add(message);
                metrics.Sent(now - message.CreatedAt);
                break;
            case { Kind: CarrierOutcomeKind.TemporaryFailure } when message.Attempts + 1 < options.Value.MaxAttempts:
                message.Attempts++;
                var backoff = outcome.RetryAfter * Math.Min(32, 1 << Math.Min(message.Attempts - 1, 5));
                message.NextAttemptAt = now + backoff;
                records.Retried.Add(message);
                break;
            default:
                message.MoveTo(MessageStates.Failed, outcome.Kind == CarrierOutcomeKind.Refused ? MessageErrors.For(outcome.Error) : MessageErrors.NoRoute, now);
                records.Moved.Add(message);
                metrics.Reached(MessageStates.Failed);
                LogFailed(message.Id, message.ErrorCode);
                break;
        }
    }

    [LoggerMessage(EventId = 2001, Level = LogLevel.Warning, Message = "Message {MessageId} failed with error {ErrorCode}")]
    partial void LogFailed(Guid messageId, string? errorCode);

    [LoggerMessage(EventId = 2002, Level = LogLevel.Error, Message = "Dispatch pass failed ({Error}); the claimed messages return to the queue when their lease ends")]
    partial void LogPassFailed(string error);

    [LoggerMessage(EventId = 2003, Level = LogLevel.Warning, Message = "Could not give back {Count} handed-off messages ({Error}); they are claimed when their lease lapses")]
    partial void LogGiveBackFailed(int count, string error);
}
