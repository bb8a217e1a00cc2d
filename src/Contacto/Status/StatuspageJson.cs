using System.Globalization;
using Contacto.Status.Incidents;

namespace Contacto.Status;

/// <summary>
/// The Statuspage public API v2 shapes, field for field, so existing Statuspage clients and widgets
/// read this page unchanged.
/// </summary>
internal static class StatuspageJson
{
    /// <summary>Statuspage's instants: ISO 8601 with milliseconds, in UTC.</summary>
    public static string Instant(DateTimeOffset value) =>
        value.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);

    static string? Instant(DateTimeOffset? value) => value is { } v ? Instant(v) : null;

    public static object Page(StatusSnapshot s, string baseUrl) => new
    {
        id = s.Options.PageId,
        name = s.Options.PageName,
        url = baseUrl,
        time_zone = "Etc/UTC",
        updated_at = Instant(s.UpdatedAt),
    };

    public static object Status(StatusSnapshot s) => new { indicator = WireNames.Of(s.Indicator), description = s.Description };

    public static object Summary(StatusSnapshot s, string baseUrl) => new
    {
        page = Page(s, baseUrl),
        components = Components(s),
        incidents = s.UnresolvedIncidents.Select(i => Incident(s, i, baseUrl)),
        scheduled_maintenances = s.UpcomingMaintenances.Concat(s.ActiveMaintenances).Select(m => Incident(s, m, baseUrl)),
        status = Status(s),
    };

    public static IEnumerable<object> Components(StatusSnapshot s) => s.Components.Select(c => Component(s, c));

    static object Component(StatusSnapshot s, ComponentView c)
    {
        var fields = new Dictionary<string, object?>
        {
            ["id"] = c.Id,
            ["name"] = c.Name,
            ["status"] = WireNames.Of(c.Status),
            ["created_at"] = Instant(c.CreatedAt),
            ["updated_at"] = Instant(c.UpdatedAt),
            ["position"] = c.Position,
            ["description"] = c.Description,
            ["showcase"] = !c.IsGroup,
            ["start_date"] = c.CreatedAt.UtcDateTime.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
            ["group_id"] = c.GroupId,
            ["page_id"] = s.Options.PageId,
            ["group"] = c.IsGroup,
            ["only_show_if_degraded"] = c.OnlyShowIfDegraded,
        };
        if (c.IsGroup)
            fields["components"] = c.ChildIds;
        return fields;
    }

    public static Dictionary<string, object?> Incident(StatusSnapshot s, Incident i, string baseUrl)
    {
        var fields = new Dictionary<string, object?>
        {
            ["id"] = i.Id.ToString(),
            ["name"] = i.Name,
            ["status"] = WireNames.Of(i.Status),
            ["created_at"] = Instant(i.CreatedAt),
            ["updated_at"] = Instant(i.UpdatedAt),
            ["monitoring_at"] = Instant(i.MonitoringAt),
            ["resolved_at"] = Instant(i.ResolvedAt),
            ["impact"] = WireNames.Of(i.Impact),
            ["shortlink"] = Shortlink(baseUrl, i),
            ["started_at"] = Instant(i.StartedAt),
            ["page_id"] = s.Options.PageId,
            ["incident_updates"] = i.Updates.Select(Update),
            ["components"] = i.ComponentIds.Select(s.Component).OfType<ComponentView>().Select(c => Component(s, c)),
        };
        if (i.IsMaintenance)
        {
            fields["scheduled_for"] = Instant(i.ScheduledFor);
            fields["scheduled_until"] = Instant(i.ScheduledUntil);
        }
        return fields;
    }

    public static string Shortlink(string baseUrl, Incident i) => $"{baseUrl}/status#incident-{i.Id}";

    static object Update(IncidentUpdate u) => new
    {
        id = u.Id.ToString(),
        status = WireNames.Of(u.Status),
        body = u.Body,
        incident_id = u.IncidentId.ToString(),
        created_at = Instant(u.CreatedAt),
        updated_at = Instant(u.CreatedAt),
        display_at = Instant(u.DisplayAt),
        affected_components = u.AffectedComponents.Select(a => new
        {
            code = a.Code,
            name = a.Name,
            old_status = WireNames.Of(a.OldStatus),
            new_status = WireNames.Of(a.NewStatus),
        }),
        deliver_notifications = true,
        custom_tweet = (string?)null,
        tweet_id = (string?)null,
    };
}
