using System.Collections.Concurrent;
using System.Diagnostics;
using System.Diagnostics.Metrics;
using Contacto.Accounts;
using Contacto.Storage;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Contacto.Webhooks;

/// <summary>
/// Delivers the outbox. Each round claims due deliveries with a conditional update (so nodes
/// sharing a database never send the same one at once), sends them with at most
/// <see cref="WebhookOptions.MaxConcurrentPerHost"/> in flight per host, and records every
/// attempt. Failures that may pass are retried with exponential backoff and jitter for
/// <see cref="WebhookOptions.RetryFor"/>; a delivery waits while an older one of its ordering key
/// is pending, so a message's callbacks arrive in order (creation times are kept to the
/// millisecond: two callbacks of one key within the same millisecond may cross). A claim that outlives its node expires,
/// and another node takes the delivery over: delivery is at least once.
/// </summary>
public sealed class WebhookSender(
    IDbContextFactory<ContactoDbContext> contexts,
    WebhookOutbox outbox,
    WebhookClient client,
    AccountService accounts,
    IEnumerable<IWebhookOutcomeHandler> outcomeHandlers,
    IOptions<WebhookOptions> options,
    TimeProvider time,
    ILogger<WebhookSender> logger) : BackgroundService
{
    public const string MeterName = "Contacto.Webhooks";
    static readonly TimeSpan PollInterval = TimeSpan.FromSeconds(1);
    static readonly TimeSpan ClaimFor = TimeSpan.FromMinutes(2);
    const int Batch = 100;

    static readonly Meter Meter = new(MeterName);
    static readonly Counter<long> Attempts = Meter.CreateCounter<long>("contacto_webhook_attempts", description: "Callback attempts by account and outcome");
    static readonly Counter<long> GivenUp = Meter.CreateCounter<long>("contacto_webhook_failures", description: "Callbacks given up (refused, or still failing when retries ran out) by account");
    static readonly Histogram<double> Latency = Meter.CreateHistogram<double>("contacto_webhook_latency", "s", "Callback attempt latency");

    readonly ConcurrentDictionary<string, SemaphoreSlim> hosts = new(StringComparer.OrdinalIgnoreCase);
    readonly Dictionary<string, IWebhookOutcomeHandler> handlers = outcomeHandlers.ToDictionary(h => h.Subject, StringComparer.Ordinal);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(PollInterval, time);
        Task<bool>? tick = null;
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                while (await SendDueAsync(stoppingToken) > 0)
                {
                }
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                logger.LogError(e, "A round of callback deliveries failed; trying again shortly");
            }
            tick ??= timer.WaitForNextTickAsync(stoppingToken).AsTask();
            using var notice = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
            var poked = outbox.WaitForNoticeAsync(notice.Token);
            await Task.WhenAny(tick, poked);
            await notice.CancelAsync();
            if (tick.IsCompleted)
            {
                if (!await tick)
                    return;
                tick = null;
            }
        }
    }

    /// <summary>Claims and sends one round; returns how many it sent.</summary>
    public async Task<int> SendDueAsync(CancellationToken cancellationToken)
    {
        var claimed = await ClaimAsync(cancellationToken);
        await Task.WhenAll(claimed.Select(d => SendAsync(d, cancellationToken)));
        return claimed.Count;
    }

    async Task<List<WebhookDelivery>> ClaimAsync(CancellationToken cancellationToken)
    {
        await using var db = contexts.CreateDbContext();
        var now = time.GetUtcNow();
        var candidates = await db.Set<WebhookDelivery>().AsNoTracking()
            .Where(d => d.State == DeliveryState.Pending && d.NextAttemptAt <= now && (d.ClaimedUntil == null || d.ClaimedUntil < now))
            .Where(d => !db.Set<WebhookDelivery>().Any(o => o.AccountId == d.AccountId && o.OrderingKey == d.OrderingKey
                && o.State == DeliveryState.Pending && o.CreatedAt < d.CreatedAt))
            .OrderBy(d => d.NextAttemptAt).Take(Batch).ToListAsync(cancellationToken);
        var claimed = new List<WebhookDelivery>(candidates.Count);
        var until = now + ClaimFor;
        foreach (var candidate in candidates)
        {
            var id = candidate.Id;
            var won = await db.Set<WebhookDelivery>()
                .Where(d => d.Id == id && d.State == DeliveryState.Pending && (d.ClaimedUntil == null || d.ClaimedUntil < now))
                .ExecuteUpdateAsync(set => set.SetProperty(d => d.ClaimedUntil, until), cancellationToken);
            if (won == 1)
                claimed.Add(candidate);
        }
        return claimed;
    }

    async Task SendAsync(WebhookDelivery delivery, CancellationToken cancellationToken)
    {
        AttemptResult result;
        try
        {
            var (url, fields) = await outbox.OpenAsync(delivery, cancellationToken);
            var (token, mainToken) = await TokensAsync(delivery.AccountId, cancellationToken);
            var host = Uri.TryCreate(url, UriKind.Absolute, out var parsed) ? parsed.Authority : "";
            var gate = hosts.GetOrAdd(host, _ => new SemaphoreSlim(options.Value.MaxConcurrentPerHost));
            await gate.WaitAsync(cancellationToken);
            try
            {
                var readsReply = delivery.Subject is { } subject && handlers.ContainsKey(subject);
                result = await client.SendAsync(new Callback(url, delivery.Method, fields, token, mainToken, readsReply), cancellationToken);
            }
            finally
            {
                gate.Release();
            }
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // The account or its keys are gone: nobody is left to sign for, or to receive it.
            logger.LogWarning(e, "Callback {Delivery} cannot be prepared", delivery.Id);
            result = new AttemptResult(AttemptOutcome.GiveUp, null, TimeSpan.Zero, "cannot be prepared");
        }
        await RecordAsync(delivery, result, cancellationToken);
    }

    async Task<(string Token, string MainToken)> TokensAsync(Guid accountId, CancellationToken cancellationToken)
    {
        var account = await accounts.FindByIdAsync(accountId, cancellationToken) ?? throw new InvalidOperationException("The account no longer exists");
        var token = await accounts.RevealTokenAsync(account, cancellationToken);
        if (account.ParentId is not { } parentId)
            return (token, token);
        var main = await accounts.FindByIdAsync(parentId, cancellationToken) ?? throw new InvalidOperationException("The main account no longer exists");
        return (token, await accounts.RevealTokenAsync(main, cancellationToken));
    }

    async Task RecordAsync(WebhookDelivery delivery, AttemptResult result, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var attempts = delivery.Attempts + 1;
        var expired = now - delivery.CreatedAt >= options.Value.RetryFor;
        var state = result.Outcome switch
        {
            AttemptOutcome.Delivered => DeliveryState.Delivered,
            AttemptOutcome.Retry when !expired => DeliveryState.Pending,
            _ => DeliveryState.Failed,
        };
        var next = state == DeliveryState.Pending ? now + Backoff(attempts) : delivery.NextAttemptAt;
        if (state != DeliveryState.Pending && delivery.Subject is { } subject && handlers.TryGetValue(subject, out var handler))
            await handler.OnFinishedAsync(new WebhookOutcome(delivery, state == DeliveryState.Delivered, result.Status, result.Reply), cancellationToken);
        await using var db = contexts.CreateDbContext();
        db.Add(new WebhookAttempt
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
        await db.SaveChangesAsync(cancellationToken);
        var id = delivery.Id;
        await db.Set<WebhookDelivery>().Where(d => d.Id == id).ExecuteUpdateAsync(set => set
            .SetProperty(d => d.State, state)
            .SetProperty(d => d.Attempts, attempts)
            .SetProperty(d => d.NextAttemptAt, next)
            .SetProperty(d => d.ClaimedUntil, (DateTimeOffset?)null)
            .SetProperty(d => d.LastStatus, result.Status)
            .SetProperty(d => d.LastError, result.Error)
            .SetProperty(d => d.FinishedAt, state == DeliveryState.Pending ? null : now), cancellationToken);
        var tags = new TagList { { "account", delivery.AccountId.ToString() }, { "outcome", result.Outcome.ToString().ToLowerInvariant() } };
        Attempts.Add(1, tags);
        Latency.Record(result.Latency.TotalSeconds, tags);
        if (state == DeliveryState.Failed)
            GivenUp.Add(1, new TagList { { "account", delivery.AccountId.ToString() } });
    }

    /// <summary>5 s, 10 s, 20 s ... up to an hour, each within ±20% so retries from many senders spread out.</summary>
    static TimeSpan Backoff(int attempts)
    {
        var seconds = Math.Min(3600, 5 * Math.Pow(2, Math.Min(attempts - 1, 20)));
        return TimeSpan.FromSeconds(seconds * (0.8 + 0.4 * Random.Shared.NextDouble()));
    }
}
