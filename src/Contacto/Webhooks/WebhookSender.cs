using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Threading.Channels;
using Contacto.Crypto;
using Contacto.Storage;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Contacto.Webhooks;

/// <summary>
/// Delivers the outbox as a continuous pipeline, never in rounds: a claim loop keeps up to
/// <see cref="WebhookOptions.MaxInFlight"/> deliveries in hand, each goes the moment its account
/// and host have a free place (<see cref="WebhookOptions.MaxConcurrentPerHost"/>, or what the
/// account set for itself: <see cref="WebhookSettings"/>), and a recorder
/// writes finished attempts in batches while the others are still on the wire. No delivery waits
/// for a slower one of another account or host.
/// </summary>
/// <remarks>
/// Fairness: a claim takes at most <see cref="PerAccountPerClaim"/> deliveries of one account and
/// passes over accounts that already have that many waiting here (<see cref="WebhookQueue"/>), so
/// an account whose endpoint is slow holds its own places and no one else's. Every attempt has one
/// deadline (<see cref="WebhookOptions.TimeoutSeconds"/>: resolving, connecting, TLS, redirects).
/// Failures that may pass are retried with exponential backoff and jitter for
/// <see cref="WebhookOptions.RetryFor"/>; a delivery waits while an older one of its ordering key
/// is pending, so a message's callbacks arrive in order (creation times are kept to the
/// millisecond: two callbacks of one key within the same millisecond may cross). A claim is a
/// lease: a delivery not started in time is given back unsent, and one whose node died is claimed
/// again once its lease lapses. Delivery is at least once.
/// </remarks>
internal sealed partial class WebhookSender(
    IDbContextFactory<ContactoDbContext> contexts,
    ITenantCrypto crypto,
    WebhookClient client,
    WebhookOutbox outbox,
    SigningTokens tokens,
    IEnumerable<IWebhookOutcomeHandler> outcomeHandlers,
    IOptions<WebhookOptions> options,
    TimeProvider time,
    ILogger<WebhookSender> logger) : BackgroundService
{
    public const string MeterName = "Contacto.Webhooks";

    /// <summary>How often due retries are looked for when nothing else wakes the claim loop.</summary>
    static readonly TimeSpan PollInterval = TimeSpan.FromSeconds(1);

    /// <summary>A claim takes at most this many of one account; an account with this many waiting here is passed over.</summary>
    internal const int PerAccountPerClaim = 32;

    const int ClaimBatch = 512;
    const int RecordBatch = 1024;

    /// <summary>Accounts a claim names to pass over, at most; past that the per-account cap still holds.</summary>
    const int MaxBusyNamed = 64;

    static readonly Meter Meter = new(MeterName);
    static readonly Counter<long> Attempts = Meter.CreateCounter<long>("contacto.webhook.attempts", "{attempt}", "Callback attempts by account and outcome");
    static readonly Counter<long> GivenUp = Meter.CreateCounter<long>("contacto.webhook.failures", "{callback}", "Callbacks given up (refused, or still failing when retries ran out) by account");
    static readonly Histogram<double> Latency = Meter.CreateHistogram<double>("contacto.webhook.attempt.duration", "s", "Callback attempt latency");

    /// <summary>A claimed delivery, opened: what to send and where it must be started by.</summary>
    sealed record Held(WebhookDelivery Delivery, Callback Callback, string Host, DateTimeOffset StartBy);

    /// <summary>What the recorder writes: an attempt, or (no result) a claim given back unsent; <c>Forget</c> writes nothing.</summary>
    sealed record Finished(WebhookDelivery Delivery, AttemptResult? Result, bool Forget = false);

    readonly Dictionary<string, IWebhookOutcomeHandler> handlers = outcomeHandlers.ToDictionary(h => h.Subject, StringComparer.Ordinal);
    readonly HostGates<Held> gates = new();
    readonly Channel<Finished> finished = Channel.CreateUnbounded<Finished>(new UnboundedChannelOptions { SingleReader = true });
    readonly Channel<bool> wake = Channel.CreateBounded<bool>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite });
    readonly TaskCompletionSource idle = new(TaskCreationOptions.RunContinuationsAsynchronously);
    readonly TimeSpan lease = TimeSpan.FromSeconds(options.Value.ClaimLeaseSeconds);

    /// <summary>Claimed and not yet recorded.</summary>
    int held;

    /// <summary>Sends under way.</summary>
    int sending;

    /// <summary>1 once the node stops; set and read with full fences, as <see cref="sending"/> is, so the last send and the stop always see each other.</summary>
    int stopping;

    bool Stopping => Volatile.Read(ref stopping) == 1;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var recorder = Task.Run(RecordAsync, CancellationToken.None);
        try
        {
            await ClaimAsync(stoppingToken);
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
        finally
        {
            // What waits is given back at once for another node (or the restart) to send; sends
            // under way end with the stop and are given back too, whatever they reached.
            Interlocked.Exchange(ref stopping, 1);
            foreach (var waiting in gates.TakeWaiting())
                finished.Writer.TryWrite(new Finished(waiting.Delivery, null));
            if (Interlocked.CompareExchange(ref sending, 0, 0) == 0)
                idle.TrySetResult();
            await idle.Task;
            finished.Writer.TryComplete();
            await recorder;
        }
    }

    async Task ClaimAsync(CancellationToken stoppingToken)
    {
        // Made before the first wait: a clock that is moved on (in tests) finds it there.
        using var timer = new PeriodicTimer(PollInterval, time);
        Task<bool>? tick = null;
        while (true)
        {
            stoppingToken.ThrowIfCancellationRequested();
            var asked = Math.Min(ClaimBatch, options.Value.MaxInFlight - Volatile.Read(ref held));
            var claimed = 0;
            if (asked > 0)
            {
                try
                {
                    claimed = await ClaimAndStartAsync(asked, stoppingToken);
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    LogClaimFailed(logger, e);
                }
            }
            if (claimed > 0 && claimed == asked)
                continue;
            // Until new callbacks are queued here, the recorder freed room or settled some, or the poll interval passed.
            tick ??= timer.WaitForNextTickAsync(stoppingToken).AsTask();
            using (var waiting = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken))
            {
                await Task.WhenAny(tick, outbox.WaitForNoticeAsync(waiting.Token), wake.Reader.WaitToReadAsync(waiting.Token).AsTask());
                await waiting.CancelAsync();
            }
            wake.Reader.TryRead(out _);
            if (tick.IsCompleted)
                tick = null;
        }
    }

    async Task<int> ClaimAndStartAsync(int asked, CancellationToken stoppingToken)
    {
        var now = time.GetUtcNow();
        List<WebhookDelivery> claimed;
        await using (var db = contexts.CreateDbContext())
            claimed = await WebhookQueue.ClaimAsync(db, asked, PerAccountPerClaim, gates.Busy(PerAccountPerClaim, MaxBusyNamed),
                now, now + lease, stoppingToken);
        Interlocked.Add(ref held, claimed.Count);
        var limits = await LimitsAsync([.. claimed.Select(d => d.AccountId).Distinct()], stoppingToken);
        // Started by the end of the lease less one deadline and a margin, or given back unsent.
        var startBy = now + lease - TimeSpan.FromSeconds(options.Value.TimeoutSeconds + 5);
        foreach (var account in claimed.GroupBy(d => d.AccountId))
        {
            List<Held> opened;
            try
            {
                opened = await OpenAsync(account.Key, account, startBy, stoppingToken);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                // The account or its keys are gone: nobody is left to sign for, or to receive it.
                LogCannotPrepare(logger, e, account.Count(), account.Key);
                foreach (var delivery in account)
                    finished.Writer.TryWrite(new Finished(delivery, new AttemptResult(AttemptOutcome.GiveUp, null, TimeSpan.Zero, "cannot be prepared")));
                continue;
            }
            foreach (var item in opened)
                if (gates.TryEnter(item.Delivery.AccountId, item.Host, limits.GetValueOrDefault(account.Key, options.Value.MaxConcurrentPerHost), item))
                    Start(item, stoppingToken);
        }
        return claimed.Count;
    }

    /// <summary>Opens one account's claimed deliveries with one key lease and one look-up of its tokens.</summary>
    async Task<List<Held>> OpenAsync(Guid accountId, IEnumerable<WebhookDelivery> deliveries, DateTimeOffset startBy, CancellationToken cancellationToken)
    {
        var (token, mainToken) = await tokens.ForAsync(accountId, cancellationToken);
        using var keys = await crypto.LeaseKeysAsync(accountId, cancellationToken);
        return [.. deliveries.Select(delivery =>
        {
            var (url, fields) = WebhookOutbox.Open(keys, delivery);
            var host = Uri.TryCreate(url, UriKind.Absolute, out var parsed) ? parsed.Authority.ToLowerInvariant() : "";
            var readsReply = delivery.Subject is { } subject && handlers.ContainsKey(subject);
            return new Held(delivery, new Callback(url, delivery.Method, fields, token, mainToken, readsReply), host, startBy);
        })];
    }

    /// <summary>The per-host limits the accounts set for themselves; those without one are absent.</summary>
    async Task<Dictionary<Guid, int>> LimitsAsync(List<Guid> accountIds, CancellationToken cancellationToken)
    {
        if (accountIds.Count == 0)
            return [];
        await using var db = contexts.CreateDbContext();
        return await db.Set<WebhookSettings>().AsNoTracking().Where(s => accountIds.Contains(s.AccountId))
            .ToDictionaryAsync(s => s.AccountId, s => s.MaxConcurrentPerHost, cancellationToken);
    }

    void Start(Held item, CancellationToken stoppingToken)
    {
        Interlocked.Increment(ref sending);
        _ = SendAsync(item, stoppingToken);
    }

    async Task SendAsync(Held item, CancellationToken stoppingToken)
    {
        try
        {
            finished.Writer.TryWrite(await AttemptAsync(item, stoppingToken));
        }
        finally
        {
            if (gates.Leave(item.Delivery.AccountId, item.Host) is { } next)
                Start(next, stoppingToken);
            if (Interlocked.Decrement(ref sending) == 0 && Stopping)
                idle.TrySetResult();
        }
    }

    async Task<Finished> AttemptAsync(Held item, CancellationToken stoppingToken)
    {
        var delivery = item.Delivery;
        if (Stopping || time.GetUtcNow() > item.StartBy)
            return new Finished(delivery, null);
        AttemptResult result;
        try
        {
            result = await client.SendAsync(item.Callback, stoppingToken);
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            return new Finished(delivery, null);
        }
        CallbackTraces.Attempted(delivery, result);
        if (Final(delivery, result, time.GetUtcNow()) && delivery.Subject is { } subject && handlers.TryGetValue(subject, out var handler))
        {
            try
            {
                await handler.OnFinishedAsync(new WebhookOutcome(delivery, result.Outcome == AttemptOutcome.Delivered, result.Status, result.Reply), stoppingToken);
            }
            catch (Exception e)
            {
                // Recorded as nothing: the claim lapses and the callback is sent again, its handler called again.
                LogHandlerFailed(logger, e, delivery.Id);
                return new Finished(delivery, null, Forget: true);
            }
        }
        return new Finished(delivery, result);
    }

    /// <summary>Whether this attempt ends the delivery: delivered, given up, or retries ran out.</summary>
    bool Final(WebhookDelivery delivery, AttemptResult result, DateTimeOffset now) =>
        result.Outcome != AttemptOutcome.Retry || now - delivery.CreatedAt >= options.Value.RetryFor;

    /// <summary>
    /// Writes finished attempts in batches: the attempts in one bulk insert, the deliveries' new
    /// states one UPDATE per distinct set of values, in one transaction. A batch that cannot be
    /// written stays claimed: its leases lapse and its callbacks are sent again.
    /// </summary>
    async Task RecordAsync()
    {
        var batch = new List<Finished>(RecordBatch);
        while (await finished.Reader.WaitToReadAsync())
        {
            batch.Clear();
            while (batch.Count < RecordBatch && finished.Reader.TryRead(out var item))
                batch.Add(item);
            try
            {
                var now = time.GetUtcNow();
                await WriteAsync(batch, now);
                Count(batch, now);
            }
            catch (Exception e)
            {
                LogRecordFailed(logger, e, batch.Count);
            }
            Interlocked.Add(ref held, -batch.Count);
            wake.Writer.TryWrite(true);
        }
    }

    /// <summary>A delivery's new values after an attempt (or, with no attempt, only its claim ended).</summary>
    readonly record struct Change(bool Attempted, DeliveryState State, int Attempts, DateTimeOffset NextAttemptAt, int? Status, string? Error, DateTimeOffset? FinishedAt);

    async Task WriteAsync(List<Finished> batch, DateTimeOffset now)
    {
        var attempts = new List<WebhookAttempt>(batch.Count);
        var changes = new List<(Guid Id, Change Change)>(batch.Count);
        foreach (var (delivery, result, forget) in batch)
        {
            if (forget)
                continue;
            if (result is null)
            {
                changes.Add((delivery.Id, default));
                continue;
            }
            var state = result.Outcome switch
            {
                AttemptOutcome.Delivered => DeliveryState.Delivered,
                AttemptOutcome.Retry when !Final(delivery, result, now) => DeliveryState.Pending,
                _ => DeliveryState.Failed,
            };
            var count = delivery.Attempts + 1;
            changes.Add((delivery.Id, new Change(true, state, count, state == DeliveryState.Pending ? now + Backoff(count) : delivery.NextAttemptAt,
                result.Status, result.Error, state == DeliveryState.Pending ? null : now)));
            attempts.Add(new WebhookAttempt
            {
                Id = Guid.CreateVersion7(),
                AccountId = delivery.AccountId,
                DeliveryId = delivery.Id,
                OrderingKey = delivery.OrderingKey,
                At = now,
                Status = result.Status,
                Outcome = result.Outcome,
                LatencyMs = result.Latency.TotalMilliseconds,
                Error = result.Error,
            });
        }
        if (changes.Count == 0)
            return;
        await using var db = contexts.CreateDbContext();
        await using var transaction = await db.Database.BeginTransactionAsync();
        await BulkInsert.InsertAsync(db, attempts, CancellationToken.None);
        foreach (var group in changes.GroupBy(c => c.Change))
        {
            var change = group.Key;
            var ids = group.Select(c => c.Id).ToList();
            await db.Set<WebhookDelivery>().Where(d => ids.Contains(d.Id)).ExecuteUpdateAsync(set =>
            {
                set.SetProperty(d => d.ClaimedUntil, (DateTimeOffset?)null);
                if (change.Attempted)
                    set.SetProperty(d => d.State, change.State)
                        .SetProperty(d => d.Attempts, change.Attempts)
                        .SetProperty(d => d.NextAttemptAt, change.NextAttemptAt)
                        .SetProperty(d => d.LastStatus, change.Status)
                        .SetProperty(d => d.LastError, change.Error)
                        .SetProperty(d => d.FinishedAt, change.FinishedAt);
            });
        }
        await transaction.CommitAsync();
    }

    void Count(List<Finished> batch, DateTimeOffset now)
    {
        foreach (var (delivery, result, _) in batch)
        {
            if (result is null)
                continue;
            var account = delivery.AccountId.ToString();
            var tags = new TagList { { "account", account }, { "outcome", result.Outcome.ToString().ToLowerInvariant() } };
            Attempts.Add(1, tags);
            Latency.Record(result.Latency.TotalSeconds, tags);
            if (result.Outcome == AttemptOutcome.GiveUp || result.Outcome == AttemptOutcome.Retry && Final(delivery, result, now))
                GivenUp.Add(1, new TagList { { "account", account } });
        }
    }

    /// <summary>5 s, 10 s, 20 s ... up to an hour, each within ±20% so retries from many senders spread out.</summary>
    static TimeSpan Backoff(int attempts)
    {
        var seconds = Math.Min(3600, 5 * Math.Pow(2, Math.Min(attempts - 1, 20)));
        return TimeSpan.FromSeconds(seconds * (0.8 + 0.4 * Random.Shared.NextDouble()));
    }

    [LoggerMessage(EventId = 7001, Level = LogLevel.Error, Message = "Claiming callback deliveries failed; trying again shortly")]
    static partial void LogClaimFailed(ILogger logger, Exception exception);

    [LoggerMessage(EventId = 7002, Level = LogLevel.Warning, Message = "{Count} callback(s) of account {AccountId} cannot be prepared and are given up")]
    static partial void LogCannotPrepare(ILogger logger, Exception exception, int count, Guid accountId);

    [LoggerMessage(EventId = 7003, Level = LogLevel.Error, Message = "Following up callback {DeliveryId} failed; it is sent again once its claim lapses")]
    static partial void LogHandlerFailed(ILogger logger, Exception exception, Guid deliveryId);

    [LoggerMessage(EventId = 7004, Level = LogLevel.Error, Message = "Recording {Count} callback attempt(s) failed; they are sent again once their claims lapse")]
    static partial void LogRecordFailed(ILogger logger, Exception exception, int count);
}
