using Contacto.Status;
using Contacto.Storage;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Contacto.Status.Incidents.Paging;

/// <summary>
/// Decides who hears of an incident and puts the messages in the outbox: P1s page the first
/// escalation target at once and the next ones while nobody acknowledges; every incident goes to
/// the notify targets; whoever heard of the opening hears of the resolution.
/// </summary>
internal sealed partial class Pager(
    IOptions<PagingOptions> options,
    IOptions<StatusOptions> statusOptions,
    IDbContextFactory<ContactoDbContext> contexts,
    TimeProvider time,
    ILogger<Pager> logger)
{
    readonly SemaphoreSlim wake = new(0);

    /// <summary>Adds the opening messages to <paramref name="db"/>; they are sent once it saves.</summary>
    public void Opened(ContactoDbContext db, Incident incident)
    {
        if (incident.IsMaintenance)
            return;
        var settings = options.Value;
        var now = time.GetUtcNow();
        var paged = incident.Priority == 1 && settings.Escalation.Count > 0 ? settings.Escalation[0] : null;
        if (paged is not null)
        {
            incident.PagedLevel = 0;
            incident.PagedAt = now;
            db.Add(Message(incident, paged, PageAction.Open, isPage: true, now));
        }
        foreach (var target in settings.Notify.Where(t => t != paged))
            db.Add(Message(incident, target, PageAction.Open, isPage: false, now));
    }

    /// <summary>Adds a resolution for every target that was told of the opening.</summary>
    public async Task ResolvedAsync(ContactoDbContext db, Incident incident, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var told = await db.Set<PageMessage>().Where(m => m.IncidentId == incident.Id && m.Action == PageAction.Open)
            .Select(m => new { m.Target, m.IsPage }).Distinct().ToListAsync(cancellationToken);
        foreach (var target in told)
            db.Add(Message(incident, target.Target, PageAction.Resolve, target.IsPage, now));
    }

    /// <summary>Pages the next target for each unacknowledged P1 whose current page has gone unanswered too long.</summary>
    public async Task<int> EscalateDueAsync(CancellationToken cancellationToken)
    {
        var settings = options.Value;
        var now = time.GetUtcNow();
        var due = now - TimeSpan.FromSeconds(settings.EscalateAfterSeconds);
        var lastLevel = settings.Escalation.Count - 1;
        await using var db = contexts.CreateDbContext();
        var candidates = await db.Set<Incident>().AsNoTracking().Include(i => i.Updates)
            .Where(i => i.PagedLevel != null && i.PagedLevel < lastLevel && i.PagedAt <= due && i.AcknowledgedAt == null
                        && (i.Status == IncidentStatus.Investigating || i.Status == IncidentStatus.Identified || i.Status == IncidentStatus.Monitoring))
            .ToListAsync(cancellationToken);
        var escalated = 0;
        foreach (var incident in candidates)
        {
            var level = incident.PagedLevel!.Value + 1;
            await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
            // Only the node that moves the level on sends the page.
            var claimed = await db.Set<Incident>().Where(i => i.Id == incident.Id && i.PagedLevel == level - 1)
                .ExecuteUpdateAsync(i => i.SetProperty(x => x.PagedLevel, level).SetProperty(x => x.PagedAt, now), cancellationToken);
            if (claimed == 0)
                continue;
            db.Add(Message(incident, settings.Escalation[level], PageAction.Open, isPage: true, now));
            await db.SaveChangesAsync(cancellationToken);
            await transaction.CommitAsync(cancellationToken);
            LogEscalated(logger, incident.Id, settings.Escalation[level]);
            escalated++;
        }
        if (escalated > 0)
            Wake();
        return escalated;
    }

    PageMessage Message(Incident incident, string target, PageAction action, bool isPage, DateTimeOffset now)
    {
        var latest = incident.Updates.OrderByDescending(u => u.DisplayAt).FirstOrDefault()?.Body ?? "";
        var verb = action == PageAction.Open ? "" : "Resolved: ";
        var summary = $"{verb}[P{incident.Priority}] {incident.Name}";
        return new PageMessage
        {
            Id = Guid.CreateVersion7(),
            IncidentId = incident.Id,
            Target = target,
            Action = action,
            IsPage = isPage,
            Priority = incident.Priority,
            Summary = summary.Length > 1024 ? summary[..1024] : summary,
            Details = latest,
            Link = statusOptions.Value.PublicUrl is { } url ? $"{url.TrimEnd('/')}/status#incident-{incident.Id}" : null,
            CreatedAt = now,
            NextAttemptAt = now,
        };
    }

    /// <summary>Tells the dispatcher there is new work, so a page leaves at once rather than at the next poll.</summary>
    public void Wake()
    {
        if (wake.CurrentCount == 0)
            wake.Release();
    }

    /// <summary>Waits for <see cref="Wake"/> or the poll interval, whichever comes first.</summary>
    internal async Task WaitAsync(CancellationToken cancellationToken)
    {
        using var poll = new CancellationTokenSource(TimeSpan.FromSeconds(options.Value.PollSeconds), time);
        using var either = CancellationTokenSource.CreateLinkedTokenSource(poll.Token, cancellationToken);
        try
        {
            await wake.WaitAsync(either.Token);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            // The poll interval passed.
        }
    }

    [LoggerMessage(EventId = 5011, Level = LogLevel.Warning, Message = "Incident {IncidentId} not acknowledged: escalated to {Target}")]
    static partial void LogEscalated(ILogger logger, Guid incidentId, string target);
}
