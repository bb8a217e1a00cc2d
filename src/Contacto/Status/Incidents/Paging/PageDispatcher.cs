using Contacto.Storage;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Contacto.Status.Incidents.Paging;

/// <summary>What became of one send.</summary>
internal readonly record struct SendOutcome(bool Sent, bool Retry, string? Problem)
{
    public static readonly SendOutcome Ok = new(true, false, null);
    public static SendOutcome Transient(string problem) => new(false, true, problem);
    public static SendOutcome Permanent(string problem) => new(false, false, problem);
}

/// <summary>Delivers one outbox message to one kind of target.</summary>
internal interface IPageSender
{
    PageTargetKind Kind { get; }
    Task<SendOutcome> SendAsync(PageMessage message, PageTargetOptions target, CancellationToken cancellationToken);
}

/// <summary>
/// Works the outbox: claims due messages (a lease, so a node that dies mid-send leaves them to
/// others), sends them, and retries failures with exponential backoff until they succeed, are
/// refused for good, or run out of attempts. Also runs the escalation check.
/// </summary>
internal sealed partial class PageDispatcher(
    IDbContextFactory<ContactoDbContext> contexts,
    IOptions<PagingOptions> options,
    IEnumerable<IPageSender> senders,
    Pager pager,
    PagingMetrics metrics,
    TimeProvider time,
    ILogger<PageDispatcher> logger) : BackgroundService
{
    /// <summary>Longer than any sender may take (HTTP 15 s, SMTP four steps of 20 s), so a claim only lapses for a node that died.</summary>
    static readonly TimeSpan Lease = TimeSpan.FromMinutes(2);
    const int Batch = 20;
    readonly Guid node = Guid.CreateVersion7();

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await pager.EscalateDueAsync(stoppingToken);
                await DispatchDueAsync(stoppingToken);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                LogPassFailed(logger, e.GetType().Name);
            }
            await pager.WaitAsync(stoppingToken);
        }
    }

    /// <summary>Sends every due message this node can claim; returns how many were sent.</summary>
    public async Task<int> DispatchDueAsync(CancellationToken cancellationToken)
    {
        await using var db = contexts.CreateDbContext();
        var now = time.GetUtcNow();
        var outbox = db.Set<PageMessage>();
        // A resolution waits for its opening, or PagerDuty would drop it and keep the alert open.
        var due = await Due(outbox, now)
            .Where(m => m.Action == PageAction.Open || !outbox.Any(o => o.IncidentId == m.IncidentId && o.Target == m.Target
                && o.Action == PageAction.Open && o.SentAt == null && o.FailedAt == null))
            .OrderBy(m => m.CreatedAt).Select(m => m.Id).Take(Batch).ToListAsync(cancellationToken);
        var sent = 0;
        foreach (var id in due)
        {
            var claimed = await Due(outbox, now).Where(m => m.Id == id).ExecuteUpdateAsync(m => m
                .SetProperty(x => x.ClaimedBy, node).SetProperty(x => x.ClaimedUntil, now + Lease), cancellationToken);
            if (claimed == 0)
                continue;
            var message = await outbox.SingleAsync(m => m.Id == id, cancellationToken);
            var outcome = await SendAsync(message, cancellationToken);
            var recorded = Record(message, outcome, time.GetUtcNow());
            await db.SaveChangesAsync(cancellationToken);
            metrics.Record(recorded, options.Value.Targets.GetValueOrDefault(message.Target)?.Kind.ToString() ?? "unknown");
            sent += outcome.Sent ? 1 : 0;
        }
        return sent;
    }

    static IQueryable<PageMessage> Due(IQueryable<PageMessage> outbox, DateTimeOffset now) =>
        outbox.Where(m => m.SentAt == null && m.FailedAt == null && m.NextAttemptAt <= now && (m.ClaimedUntil == null || m.ClaimedUntil < now));

    async Task<SendOutcome> SendAsync(PageMessage message, CancellationToken cancellationToken)
    {
        if (!options.Value.Targets.TryGetValue(message.Target, out var target))
            return SendOutcome.Permanent("target no longer configured");
        var sender = senders.Single(s => s.Kind == target.Kind);
        try
        {
            return await sender.SendAsync(message, target, cancellationToken);
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            // The kind only: messages of network errors can carry URLs, and URLs can carry secrets.
            return SendOutcome.Transient(e.GetType().Name);
        }
    }

    /// <summary>Updates the message after an attempt; returns the outcome's name: sent, failed or retry.</summary>
    string Record(PageMessage message, SendOutcome outcome, DateTimeOffset now)
    {
        var settings = options.Value;
        message.Attempts++;
        message.ClaimedBy = null;
        message.ClaimedUntil = null;
        message.LastError = outcome.Problem ?? message.LastError; // kept after a success: why it took more than one attempt
        if (outcome.Sent)
        {
            message.SentAt = now;
            LogSent(logger, message.Action, message.IncidentId, message.Target);
            return "sent";
        }
        if (!outcome.Retry || message.Attempts >= settings.MaxAttempts)
        {
            message.FailedAt = now;
            LogGaveUp(logger, message.Action, message.IncidentId, message.Target, message.Attempts, outcome.Problem);
            return "failed";
        }
        var backoff = Math.Min(settings.RetryMaxSeconds, settings.RetryBaseSeconds * Math.Pow(2, message.Attempts - 1));
        message.NextAttemptAt = now + TimeSpan.FromSeconds(backoff);
        LogRetrying(logger, message.Action, message.IncidentId, message.Target, outcome.Problem, message.Attempts, settings.MaxAttempts, backoff);
        return "retry";
    }

    [LoggerMessage(EventId = 5021, Level = LogLevel.Error, Message = "Paging outbox pass failed ({Error}); retrying at the next poll")]
    static partial void LogPassFailed(ILogger logger, string error);

    [LoggerMessage(EventId = 5022, Level = LogLevel.Information, Message = "Sent {Action} for incident {IncidentId} to {Target}")]
    static partial void LogSent(ILogger logger, PageAction action, Guid incidentId, string target);

    [LoggerMessage(EventId = 5023, Level = LogLevel.Error, Message = "Gave up on {Action} for incident {IncidentId} to {Target} after {Attempts} attempt(s): {Problem}")]
    static partial void LogGaveUp(ILogger logger, PageAction action, Guid incidentId, string target, int attempts, string? problem);

    [LoggerMessage(EventId = 5024, Level = LogLevel.Warning, Message = "{Action} for incident {IncidentId} to {Target} failed ({Problem}); attempt {Attempts} of {Max}, next in {Seconds} s")]
    static partial void LogRetrying(ILogger logger, PageAction action, Guid incidentId, string target, string? problem, int attempts, int max, double seconds);
}
