using System.Threading.Channels;
using Contacto.Carriers;
using Contacto.Storage;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Contacto.Messaging;

/// <summary>
/// Step 4 of a message's path: finds the part a receipt is about by (carrier, carrier id) and
/// moves the message to <c>delivered</c> (every part delivered) or <c>undelivered</c> (any part
/// not). Receipts are written in batches and acknowledged to the carrier only once stored. A
/// receipt that arrives before its submit was recorded waits and is looked up again; one that
/// arrives twice, late, or on another bind changes nothing more.
/// </summary>
internal sealed partial class ReceiptRecorder(
    IDbContextFactory<ContactoDbContext> contexts,
    MessageCallbacks callbacks,
    MessagingMetrics metrics,
    TimeProvider time,
    ILogger<ReceiptRecorder> logger) : BackgroundService, ICarrierReceiptSink
{
    /// <summary>How long a receipt for an id not yet recorded is held before it is dropped.</summary>
    static readonly TimeSpan HoldUnmatched = TimeSpan.FromSeconds(30);
    static readonly TimeSpan LookAgainAfter = TimeSpan.FromMilliseconds(50);
    const int Batch = 1000;

    // A class, not a record: two copies of one receipt are two waiters to acknowledge.
    sealed class Pending(CarrierReceipt receipt, DateTimeOffset giveUpAt)
    {
        public string Carrier => receipt.Carrier;
        public string Key => receipt.Reference;
        public CarrierReceipt Receipt => receipt;
        public DateTimeOffset GiveUpAt => giveUpAt;
        public TaskCompletionSource Stored { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }

    readonly Channel<Pending> incoming = Channel.CreateUnbounded<Pending>();

    public async Task AcceptAsync(CarrierReceipt receipt, CancellationToken cancellationToken)
    {
        var pending = new Pending(receipt, time.GetUtcNow() + HoldUnmatched);
        await incoming.Writer.WriteAsync(pending, cancellationToken);
        await pending.Stored.Task.WaitAsync(cancellationToken);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var waiting = new List<Pending>();
        while (!stoppingToken.IsCancellationRequested)
        {
            if (waiting.Count == 0)
                await incoming.Reader.WaitToReadAsync(stoppingToken);
            else
                await Task.WhenAny(incoming.Reader.WaitToReadAsync(stoppingToken).AsTask(), Task.Delay(LookAgainAfter, time, stoppingToken));
            var batch = waiting;
            while (batch.Count < Batch && incoming.Reader.TryRead(out var next))
                batch.Add(next);
            try
            {
                waiting = await ApplyAsync(batch, stoppingToken);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                // Unacknowledged receipts are sent again by the carrier; keep these and try again.
                LogRecordingFailed(batch.Count, e.GetType().Name);
                waiting = batch;
            }
        }
    }

    /// <summary>Stores what it can; returns the receipts whose message is not recorded yet.</summary>
    async Task<List<Pending>> ApplyAsync(List<Pending> batch, CancellationToken cancellationToken)
    {
        await using var db = contexts.CreateDbContext();
        // Untracked: the parts and messages that change are written set-based, not one UPDATE each.
        var parts = new Dictionary<(string, string), MessagePart>();
        foreach (var carrier in batch.GroupBy(p => p.Carrier))
        {
            var keys = carrier.Select(p => p.Key).Distinct().ToList();
            foreach (var part in await db.Set<MessagePart>().AsNoTracking().Where(p => p.Carrier == carrier.Key && keys.Contains(p.CarrierMessageId)).ToListAsync(cancellationToken))
                parts[(part.Carrier, part.CarrierMessageId)] = part;
        }
        var unmatched = new List<Pending>();
        var settledParts = new List<MessagePart>();
        foreach (var pending in batch)
        {
            if (!parts.TryGetValue((pending.Carrier, pending.Key), out var part))
            {
                unmatched.Add(pending);
                continue;
            }
            if (part.State is null && pending.Receipt.State != ReceiptState.Pending)
            {
                var delivered = pending.Receipt.State == ReceiptState.Delivered;
                part.State = delivered ? MessageStates.Delivered : MessageStates.Undelivered;
                part.ErrorCode = delivered ? MessageErrors.None : MessageErrors.For(pending.Receipt.Error);
                settledParts.Add(part);
            }
        }
        var (settled, callbacksAdded) = await SettleAsync(db, parts, [.. settledParts.Select(p => p.MessageId)], cancellationToken);
        // Receipts that settle nothing (en route, repeated, not matched yet) write nothing: no turn on SQLite's writer.
        if (settledParts.Count > 0)
        {
            await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
            foreach (var outcome in settledParts.GroupBy(p => (p.Carrier, p.State, p.ErrorCode)))
            {
                var keys = outcome.Select(p => p.CarrierMessageId).ToList();
                await db.Set<MessagePart>().Where(p => p.Carrier == outcome.Key.Carrier && keys.Contains(p.CarrierMessageId))
                    .ExecuteUpdateAsync(set => set.SetProperty(p => p.State, outcome.Key.State).SetProperty(p => p.ErrorCode, outcome.Key.ErrorCode), cancellationToken);
            }
            await MessageStateWrites.WriteAsync(db, settled, cancellationToken);
            await db.SaveChangesAsync(cancellationToken); // the callbacks
            await transaction.CommitAsync(cancellationToken);
        }
        if (callbacksAdded)
            callbacks.Notify();
        foreach (var pending in batch.Except(unmatched))
            pending.Stored.TrySetResult();
        var now = time.GetUtcNow();
        foreach (var expired in unmatched.Where(p => p.GiveUpAt <= now))
        {
            LogUnmatchedReceipt(expired.Carrier);
            expired.Stored.TrySetResult();
        }
        return [.. unmatched.Where(p => p.GiveUpAt > now)];
    }

    /// <summary>
    /// Moves each message whose parts are all settled to its final state, in memory; returns the
    /// messages moved and whether that added callbacks. <paramref name="loaded"/> holds the parts
    /// this batch read, with the states it settled and has not written yet.
    /// </summary>
    async Task<(List<Message> Settled, bool CallbacksAdded)> SettleAsync(ContactoDbContext db, Dictionary<(string, string), MessagePart> loaded,
        HashSet<Guid> messageIds, CancellationToken cancellationToken)
    {
        if (messageIds.Count == 0)
            return ([], false);
        var ids = messageIds.ToList();
        var messages = await db.Set<Message>().AsNoTracking().Where(m => ids.Contains(m.Id) && m.State == MessageStates.Sent).ToListAsync(cancellationToken);
        // A message sent as one unit has one part, which this batch loaded: only longer ones have
        // parts to read (a sent message's units are the parts its carrier took).
        var singleUnit = messages.Where(m => m.Units == 1).Select(m => m.Id).ToHashSet();
        var longer = messages.Where(m => m.Units != 1).Select(m => m.Id).ToList();
        var stored = longer.Count == 0 ? [] : await db.Set<MessagePart>().AsNoTracking().Where(p => longer.Contains(p.MessageId)).ToListAsync(cancellationToken);
        var allParts = stored.Select(p => loaded.GetValueOrDefault((p.Carrier, p.CarrierMessageId), p))
            .Concat(loaded.Values.Where(p => singleUnit.Contains(p.MessageId))).ToLookup(p => p.MessageId);
        // Opened before the final state erases them (log=false): the callback still needs them.
        var numbers = await callbacks.OpenNumbersAsync(messages, cancellationToken);
        var settled = new List<Message>();
        var now = time.GetUtcNow();
        foreach (var message in messages)
        {
            var parts = allParts[message.Id].ToList();
            if (parts.FirstOrDefault(p => p.State == MessageStates.Undelivered) is { } failed)
                message.MoveTo(MessageStates.Undelivered, failed.ErrorCode, now);
            else if (parts.All(p => p.State == MessageStates.Delivered))
                message.MoveTo(MessageStates.Delivered, MessageErrors.None, now);
            else
                continue;
            metrics.Reached(message.State);
            MessageTraces.Start("message.settle", message)?.SetTag("contacto.message.state", message.State).Dispose();
            settled.Add(message);
        }
        return (settled, await callbacks.AddAsync(db, settled, id => numbers.GetValueOrDefault(id), cancellationToken));
    }

    [LoggerMessage(EventId = 2021, Level = LogLevel.Error, Message = "Recording {Count} receipt(s) failed ({Error}); retrying")]
    partial void LogRecordingFailed(int count, string error);

    [LoggerMessage(EventId = 2022, Level = LogLevel.Warning, Message = "Dropped a receipt from {Carrier}: no message was sent with its id")]
    partial void LogUnmatchedReceipt(string carrier);
}
