using Contacto.Storage;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Contacto.Status;

/// <summary>The configured components' stored state and the rules that derive their public status.</summary>
internal sealed class StatusBoard(IOptions<StatusOptions> options, TimeProvider time)
{
    /// <summary>Every configured component's row, tracked by <paramref name="db"/>; missing rows are added.</summary>
    public async Task<Dictionary<string, StatusComponent>> LoadAsync(ContactoDbContext db, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var stored = await db.Set<StatusComponent>().ToDictionaryAsync(c => c.Id, StringComparer.Ordinal, cancellationToken);
        foreach (var (_, component) in options.Value.AllComponents)
        {
            if (stored.ContainsKey(component.Id))
                continue;
            var row = new StatusComponent
            {
                Id = component.Id,
                Status = ComponentStatus.Operational,
                StatusSince = now,
                MonitoredStatus = ComponentStatus.Operational,
                MonitoredSince = now,
                CreatedAt = now,
                UpdatedAt = now,
            };
            db.Add(row);
            db.Add(new ComponentStatusChange { Id = Guid.CreateVersion7(), ComponentId = row.Id, Status = row.Status, At = now });
            stored[row.Id] = row;
        }
        return stored;
    }

    /// <summary>Each component takes the worst status among the subjects it follows; unreported subjects are operational.</summary>
    public void ApplyObservations(IReadOnlyDictionary<string, StatusComponent> components, IReadOnlyList<ComponentObservation> observations)
    {
        var now = time.GetUtcNow();
        var bySubject = observations.GroupBy(o => o.Subject, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.Max(o => o.Status), StringComparer.Ordinal);
        foreach (var (_, config) in options.Value.AllComponents)
        {
            var observed = config.Monitors.Select(subject => bySubject.GetValueOrDefault(subject)).DefaultIfEmpty().Max();
            var row = components[config.Id];
            if (row.MonitoredStatus == observed)
                continue;
            row.MonitoredStatus = observed;
            row.MonitoredSince = now;
            row.Version++;
        }
    }

    /// <summary>
    /// Derives the public status (override, else maintenance, else monitored) and records a change.
    /// </summary>
    public void Recompute(ContactoDbContext db, StatusComponent component, bool underMaintenance)
    {
        var status = component.OverrideStatus ?? (underMaintenance ? ComponentStatus.UnderMaintenance : component.MonitoredStatus);
        if (status == component.Status)
            return;
        var now = time.GetUtcNow();
        component.Status = status;
        component.StatusSince = now;
        component.UpdatedAt = now;
        component.Version++;
        db.Add(new ComponentStatusChange { Id = Guid.CreateVersion7(), ComponentId = component.Id, Status = status, At = now });
    }
}
