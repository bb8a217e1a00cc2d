using Contacto.Api;
using Contacto.Status.Incidents.Paging;
using Contacto.Status;
using Contacto.Storage;
using Microsoft.AspNetCore.Http;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Contacto.Status.Incidents;

/// <summary>
/// Incidents and maintenance windows: what staff do through the ops API, and what the monitors do
/// on their own (open an incident for a lasting outage, resolve it on recovery, move maintenance
/// windows along). Paging rides in the same transaction as the change that causes it.
/// </summary>
internal sealed class IncidentService(
    IDbContextFactory<ContactoDbContext> contexts,
    IOptions<StatusOptions> statusOptions,
    Pager pager,
    TimeProvider time)
{
    public const int MaxNameLength = 200;
    public const int MaxBodyLength = 10_000;

    public sealed record NewIncident(string Name, string Body, IncidentStatus Status, IncidentImpact Impact, int Priority, IReadOnlyList<string> ComponentIds);

    public async Task<Incident> CreateAsync(NewIncident spec, CancellationToken cancellationToken)
    {
        await using var db = contexts.CreateDbContext();
        var incident = Open(spec, time.GetUtcNow());
        db.Add(incident);
        pager.Opened(db, incident);
        await db.SaveChangesAsync(cancellationToken);
        return incident;
    }

    public async Task<Incident> ScheduleMaintenanceAsync(string name, string body, DateTimeOffset from, DateTimeOffset until,
        IReadOnlyList<string> componentIds, CancellationToken cancellationToken)
    {
        await using var db = contexts.CreateDbContext();
        var maintenance = Open(new NewIncident(name, body, IncidentStatus.Scheduled, IncidentImpact.Maintenance, 4, componentIds), time.GetUtcNow());
        maintenance.IsMaintenance = true;
        maintenance.ScheduledFor = from;
        maintenance.ScheduledUntil = until;
        maintenance.StartedAt = from;
        db.Add(maintenance);
        await db.SaveChangesAsync(cancellationToken);
        return maintenance;
    }

    public async Task<IReadOnlyList<Incident>> ListAsync(CancellationToken cancellationToken)
    {
        await using var db = contexts.CreateDbContext();
        return await db.Set<Incident>().AsNoTracking().Include(i => i.Updates).OrderByDescending(i => i.CreatedAt)
            .Take(StatusSnapshot.ListLimit).ToListAsync(cancellationToken);
    }

    public async Task<Incident?> FindAsync(Guid id, CancellationToken cancellationToken)
    {
        await using var db = contexts.CreateDbContext();
        return await db.Set<Incident>().AsNoTracking().Include(i => i.Updates).SingleOrDefaultAsync(i => i.Id == id, cancellationToken);
    }

    /// <summary>A staff update: a new status (of the incident's own kind) and a public message.</summary>
    public Task<Incident> UpdateAsync(Guid id, IncidentStatus status, string body, IncidentImpact? impact, CancellationToken cancellationToken) =>
        ChangeAsync(id, async (db, incident) =>
        {
            if (!incident.IsOpen)
                throw Conflict("the incident is closed; publish a postmortem instead");
            var allowed = incident.IsMaintenance
                ? new[] { IncidentStatus.Scheduled, IncidentStatus.InProgress, IncidentStatus.Verifying, IncidentStatus.Completed }
                : [IncidentStatus.Investigating, IncidentStatus.Identified, IncidentStatus.Monitoring, IncidentStatus.Resolved];
            if (!allowed.Contains(status))
                throw ApiException.BadRequest($"status must be one of {string.Join(", ", allowed.Select(WireNames.Of))} for this {(incident.IsMaintenance ? "maintenance" : "incident")}");
            if (impact is { } newImpact && !incident.IsMaintenance)
                incident.Impact = newImpact;
            await TransitionAsync(db, incident, status, body, [], cancellationToken);
        }, cancellationToken);

    public Task<Incident> PublishPostmortemAsync(Guid id, string body, CancellationToken cancellationToken) =>
        ChangeAsync(id, (_, incident) =>
        {
            if (incident.IsMaintenance || incident.Status is not (IncidentStatus.Resolved or IncidentStatus.Postmortem))
                throw Conflict("a postmortem follows a resolved incident");
            var now = time.GetUtcNow();
            incident.PostmortemBody = body;
            incident.PostmortemPublishedAt = now;
            incident.Status = IncidentStatus.Postmortem;
            incident.UpdatedAt = now;
            return Task.CompletedTask;
        }, cancellationToken);

    /// <summary>Someone on call has it: escalation stops.</summary>
    public Task<Incident> AcknowledgeAsync(Guid id, CancellationToken cancellationToken) =>
        ChangeAsync(id, (_, incident) =>
        {
            incident.AcknowledgedAt ??= time.GetUtcNow();
            return Task.CompletedTask;
        }, cancellationToken);

    async Task<Incident> ChangeAsync(Guid id, Func<ContactoDbContext, Incident, Task> change, CancellationToken cancellationToken)
    {
        await using var db = contexts.CreateDbContext();
        var incident = await db.Set<Incident>().Include(i => i.Updates).SingleOrDefaultAsync(i => i.Id == id, cancellationToken)
                       ?? throw ApiException.NotFound();
        await change(db, incident);
        await db.SaveChangesAsync(cancellationToken);
        return incident;
    }

    /// <summary>Starts and ends maintenance windows on time; returns the components under maintenance now.</summary>
    public async Task<HashSet<string>> AdvanceMaintenanceAsync(ContactoDbContext db, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var windows = await db.Set<Incident>().Include(i => i.Updates)
            .Where(i => i.IsMaintenance && (i.Status == IncidentStatus.Scheduled || i.Status == IncidentStatus.InProgress || i.Status == IncidentStatus.Verifying))
            .ToListAsync(cancellationToken);
        var underMaintenance = new HashSet<string>(StringComparer.Ordinal);
        foreach (var window in windows)
        {
            if (window.Status == IncidentStatus.Scheduled && now >= window.ScheduledFor)
                await TransitionAsync(db, window, IncidentStatus.InProgress, "Scheduled maintenance is in progress.", [], cancellationToken);
            if (Incident.MaintenanceActive.Contains(window.Status) && now >= window.ScheduledUntil)
                await TransitionAsync(db, window, IncidentStatus.Completed, "Scheduled maintenance has completed.", [], cancellationToken);
            if (Incident.MaintenanceActive.Contains(window.Status))
                underMaintenance.UnionWith(window.ComponentIds);
        }
        return underMaintenance;
    }

    /// <summary>
    /// Opens an incident for a component that has stayed in major outage for
    /// <c>Status:Monitors:OpenIncidentAfterSeconds</c> (P1 for a whole service or country, or when
    /// its whole group is down), and resolves it once the component is operational again.
    /// </summary>
    public async Task ApplyOutagePolicyAsync(ContactoDbContext db, IReadOnlyDictionary<string, StatusComponent> components, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var settings = statusOptions.Value;
        var after = TimeSpan.FromSeconds(settings.Monitors.OpenIncidentAfterSeconds);
        foreach (var (group, config) in settings.AllComponents)
        {
            var component = components[config.Id];
            var down = component.MonitoredStatus == ComponentStatus.MajorOutage;
            if (down && component.OutageIncidentId is null && now - component.MonitoredSince >= after)
            {
                var wholeGroupDown = group.Components.All(c => components[c.Id].MonitoredStatus == ComponentStatus.MajorOutage);
                var priority = wholeGroupDown ? 1 : config.OutagePriority;
                var incident = Open(new NewIncident($"{config.Name}: major outage",
                    $"Our monitors have seen a major outage of {config.Name} since {StatuspageJson.Instant(component.MonitoredSince)}. We are investigating.",
                    IncidentStatus.Investigating, priority == 1 ? IncidentImpact.Critical : IncidentImpact.Major, priority, [config.Id]), now,
                    [new AffectedComponent(config.Id, config.Name, ComponentStatus.Operational, ComponentStatus.MajorOutage)]);
                incident.OpenedForComponent = config.Id;
                db.Add(incident);
                component.OutageIncidentId = incident.Id;
                component.Version++;
                pager.Opened(db, incident);
            }
            else if (!down && component.OutageIncidentId is { } incidentId)
            {
                var incident = await db.Set<Incident>().Include(i => i.Updates).SingleOrDefaultAsync(i => i.Id == incidentId, cancellationToken);
                var recovered = component.MonitoredStatus == ComponentStatus.Operational;
                if (recovered)
                {
                    component.OutageIncidentId = null;
                    component.Version++;
                }
                if (incident is null || !incident.IsOpen)
                    continue;
                if (recovered)
                    await TransitionAsync(db, incident, IncidentStatus.Resolved, $"{config.Name} has recovered and is operational.",
                        [new AffectedComponent(config.Id, config.Name, ComponentStatus.MajorOutage, ComponentStatus.Operational)], cancellationToken);
                else if (incident.Status != IncidentStatus.Monitoring)
                    await TransitionAsync(db, incident, IncidentStatus.Monitoring, $"{config.Name} is recovering ({WireNames.Label(component.MonitoredStatus).ToLowerInvariant()}); we are monitoring.",
                        [new AffectedComponent(config.Id, config.Name, ComponentStatus.MajorOutage, component.MonitoredStatus)], cancellationToken);
            }
        }
    }

    Incident Open(NewIncident spec, DateTimeOffset now, IReadOnlyList<AffectedComponent>? affected = null)
    {
        var incident = new Incident
        {
            Id = Guid.CreateVersion7(),
            Name = spec.Name,
            Status = spec.Status,
            Impact = spec.Impact,
            Priority = spec.Priority,
            ComponentIds = [.. spec.ComponentIds],
            CreatedAt = now,
            UpdatedAt = now,
            StartedAt = now,
        };
        incident.Updates.Add(NewUpdate(incident, spec.Status, spec.Body, now, affected ?? []));
        return incident;
    }

    async Task TransitionAsync(ContactoDbContext db, Incident incident, IncidentStatus status, string body, IReadOnlyList<AffectedComponent> affected,
        CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        incident.Status = status;
        incident.UpdatedAt = now;
        if (status is IncidentStatus.Monitoring or IncidentStatus.Verifying)
            incident.MonitoringAt ??= now;
        var update = NewUpdate(incident, status, body, now, affected);
        incident.Updates.Add(update);
        db.Add(update);
        if (status is IncidentStatus.Resolved or IncidentStatus.Completed)
        {
            incident.ResolvedAt = now;
            await pager.ResolvedAsync(db, incident, cancellationToken);
        }
    }

    static IncidentUpdate NewUpdate(Incident incident, IncidentStatus status, string body, DateTimeOffset now, IReadOnlyList<AffectedComponent> affected) =>
        new()
        {
            Id = Guid.CreateVersion7(),
            IncidentId = incident.Id,
            Status = status,
            Body = body,
            CreatedAt = now,
            DisplayAt = now,
            AffectedComponents = affected,
        };

    static ApiException Conflict(string message) => new(StatusCodes.Status409Conflict, message);
}
