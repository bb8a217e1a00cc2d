using Contacto.Storage;
using Microsoft.EntityFrameworkCore;

namespace Contacto.Status;

/// <summary>One day's bar: the worst status seen and the uptime that day; null before the component existed.</summary>
public sealed record UptimeDay(DateOnly Date, ComponentStatus Worst, double? Percent);

/// <summary>A component's uptime over the window, against the target.</summary>
public sealed record UptimeSummary(IReadOnlyList<UptimeDay> Days, double Percent);

/// <summary>
/// Uptime from the history of status changes. As Statuspage counts it: time in major outage is
/// down, time in partial outage counts 30% down, everything else is up.
/// </summary>
internal static class Uptime
{
    public const int Days = 90;
    const double PartialOutageWeight = 0.3;

    /// <param name="changes">The component's changes, oldest first; the first is its creation.</param>
    public static UptimeSummary Compute(IReadOnlyList<(DateTimeOffset At, ComponentStatus Status)> changes, DateTimeOffset now, int days = Days)
    {
        var today = DateOnly.FromDateTime(now.UtcDateTime);
        var firstDay = today.AddDays(1 - days);
        var result = new List<UptimeDay>(days);
        double totalDown = 0, totalObserved = 0;
        for (var date = firstDay; date <= today; date = date.AddDays(1))
        {
            var dayStart = new DateTimeOffset(date.ToDateTime(TimeOnly.MinValue), TimeSpan.Zero);
            var dayEnd = date == today ? now : dayStart.AddDays(1);
            double down = 0, observed = 0;
            var worst = ComponentStatus.Operational;
            for (var i = 0; i < changes.Count; i++)
            {
                var from = changes[i].At > dayStart ? changes[i].At : dayStart;
                var to = i + 1 < changes.Count && changes[i + 1].At < dayEnd ? changes[i + 1].At : dayEnd;
                if (to <= from)
                    continue;
                var seconds = (to - from).TotalSeconds;
                observed += seconds;
                down += seconds * Weight(changes[i].Status);
                worst = changes[i].Status > worst ? changes[i].Status : worst;
            }
            totalDown += down;
            totalObserved += observed;
            result.Add(new UptimeDay(date, worst, observed > 0 ? 100 * (1 - down / observed) : null));
        }
        return new UptimeSummary(result, totalObserved > 0 ? 100 * (1 - totalDown / totalObserved) : 100);
    }

    static double Weight(ComponentStatus status) => status switch
    {
        ComponentStatus.MajorOutage => 1,
        ComponentStatus.PartialOutage => PartialOutageWeight,
        _ => 0,
    };

    /// <summary>Every component's uptime, from one query over the window (plus each one's state as it opened).</summary>
    public static async Task<IReadOnlyDictionary<string, UptimeSummary>> ForComponentsAsync(
        ContactoDbContext db, IReadOnlyCollection<string> componentIds, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var windowStart = new DateTimeOffset(DateOnly.FromDateTime(now.UtcDateTime).AddDays(1 - Days).ToDateTime(TimeOnly.MinValue), TimeSpan.Zero);
        var changes = db.Set<ComponentStatusChange>().AsNoTracking();
        var inWindow = await changes.Where(c => c.At >= windowStart).OrderBy(c => c.At).ToListAsync(cancellationToken);
        var result = new Dictionary<string, UptimeSummary>(StringComparer.Ordinal);
        foreach (var id in componentIds)
        {
            var before = await changes.Where(c => c.ComponentId == id && c.At < windowStart).OrderByDescending(c => c.At)
                .Select(c => (ComponentStatus?)c.Status).FirstOrDefaultAsync(cancellationToken);
            var history = inWindow.Where(c => c.ComponentId == id).Select(c => (c.At, c.Status)).ToList();
            if (before is { } opening)
                history.Insert(0, (windowStart, opening));
            result[id] = Compute(history, now);
        }
        return result;
    }
}
