using Contacto.Status.Incidents;
using Contacto.Storage;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Contacto.Status;

/// <summary>A component or a group (<see cref="IsGroup"/>) as the public sees it.</summary>
public sealed record ComponentView(
    string Id,
    string Name,
    string? Description,
    ComponentStatus Status,
    int Position,
    string? GroupId,
    bool IsGroup,
    IReadOnlyList<string> ChildIds,
    bool OnlyShowIfDegraded,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt);

/// <summary>Statuspage's overall indicator: <c>none</c>, <c>minor</c>, <c>major</c> or <c>critical</c>.</summary>
public enum StatusIndicator
{
    None,
    Minor,
    Major,
    Critical,
}

/// <summary>Everything the public page, the JSON API and the feeds show, read in one go.</summary>
public sealed record StatusSnapshot(
    StatusOptions Options,
    IReadOnlyList<ComponentView> Components,
    IReadOnlyList<Incident> Incidents,
    IReadOnlyList<Incident> Maintenances,
    DateTimeOffset UpdatedAt)
{
    public const int ListLimit = 50;

    public IEnumerable<Incident> UnresolvedIncidents => Incidents.Where(i => Incident.Unresolved.Contains(i.Status));
    public IEnumerable<Incident> UpcomingMaintenances => Maintenances.Where(m => m.Status == IncidentStatus.Scheduled);
    public IEnumerable<Incident> ActiveMaintenances => Maintenances.Where(m => Incident.MaintenanceActive.Contains(m.Status));

    public ComponentView? Component(string id) => Components.FirstOrDefault(c => c.Id == id);

    /// <summary>The worse of the components' statuses and the open incidents' impacts.</summary>
    public StatusIndicator Indicator
    {
        get
        {
            var fromComponents = Components.Where(c => !c.IsGroup).Select(c => c.Status switch
            {
                ComponentStatus.MajorOutage => StatusIndicator.Critical,
                ComponentStatus.PartialOutage => StatusIndicator.Major,
                ComponentStatus.DegradedPerformance => StatusIndicator.Minor,
                _ => StatusIndicator.None,
            });
            var fromIncidents = UnresolvedIncidents.Select(i => i.Impact switch
            {
                IncidentImpact.Critical => StatusIndicator.Critical,
                IncidentImpact.Major => StatusIndicator.Major,
                IncidentImpact.Minor => StatusIndicator.Minor,
                _ => StatusIndicator.None,
            });
            return fromComponents.Concat(fromIncidents).DefaultIfEmpty().Max();
        }
    }

    public string Description => Indicator switch
    {
        StatusIndicator.Critical => "Major System Outage",
        StatusIndicator.Major => "Partial System Outage",
        StatusIndicator.Minor => "Minor Service Outage",
        _ when Components.Any(c => c.Status == ComponentStatus.UnderMaintenance) => "Service Under Maintenance",
        _ => "All Systems Operational",
    };
}

internal sealed class StatusReader(IDbContextFactory<ContactoDbContext> contexts, IOptions<StatusOptions> options, TimeProvider time)
{
    public async Task<StatusSnapshot> ReadAsync(CancellationToken cancellationToken)
    {
        var settings = options.Value;
        await using var db = contexts.CreateDbContext();
        var stored = await db.Set<StatusComponent>().AsNoTracking().ToDictionaryAsync(c => c.Id, StringComparer.Ordinal, cancellationToken);
        var incidents = await RecentAsync(db, maintenance: false, cancellationToken);
        var maintenances = await RecentAsync(db, maintenance: true, cancellationToken);
        var components = Views(settings, stored);
        var updatedAt = components.Select(c => c.UpdatedAt).Concat(incidents.Concat(maintenances).Select(i => i.UpdatedAt))
            .DefaultIfEmpty(DateTimeOffset.UnixEpoch).Max();
        return new StatusSnapshot(settings, components, incidents, maintenances, updatedAt);
    }

    /// <summary>The 50 most recent, plus any older one still open, newest first, with updates newest first.</summary>
    static async Task<IReadOnlyList<Incident>> RecentAsync(ContactoDbContext db, bool maintenance, CancellationToken cancellationToken)
    {
        var kind = db.Set<Incident>().AsNoTracking().Include(i => i.Updates).Where(i => i.IsMaintenance == maintenance);
        var recent = await kind.OrderByDescending(i => i.CreatedAt).Take(StatusSnapshot.ListLimit).ToListAsync(cancellationToken);
        var open = await kind.Where(i => i.Status != IncidentStatus.Resolved && i.Status != IncidentStatus.Postmortem && i.Status != IncidentStatus.Completed)
            .ToListAsync(cancellationToken);
        var all = recent.UnionBy(open, i => i.Id).OrderByDescending(i => i.CreatedAt).ToList();
        foreach (var incident in all)
            incident.Updates = [.. incident.Updates.OrderByDescending(u => u.DisplayAt).ThenByDescending(u => u.Id)];
        return all;
    }

    List<ComponentView> Views(StatusOptions settings, Dictionary<string, StatusComponent> stored)
    {
        var now = time.GetUtcNow();
        var views = new List<ComponentView>();
        var position = 0;
        foreach (var group in settings.Groups)
        {
            var children = group.Components.Select(c =>
            {
                var row = stored.GetValueOrDefault(c.Id);
                return new ComponentView(c.Id, c.Name, c.Description, row?.Status ?? ComponentStatus.Operational, 0, group.Id, false, [],
                    c.OnlyShowIfDegraded, row?.CreatedAt ?? now, row?.UpdatedAt ?? now);
            }).ToList();
            views.Add(new ComponentView(group.Id, group.Name, group.Description, children.Max(c => c.Status), ++position, null, true,
                [.. children.Select(c => c.Id)], false, children.Min(c => c.CreatedAt), children.Max(c => c.UpdatedAt)));
            views.AddRange(children.Select(c => c with { Position = ++position }));
        }
        return views;
    }
}
