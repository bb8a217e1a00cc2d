using System.Globalization;
using System.Text.Json;

namespace Contacto.Tests.Status;

/// <summary>
/// The Statuspage public API v2 schema, as its clients rely on it: every field present, of the
/// right JSON type, enums from Statuspage's sets, instants in ISO 8601.
/// </summary>
public static class StatuspageSchema
{
    public static readonly string[] ComponentStatuses = ["operational", "degraded_performance", "partial_outage", "major_outage", "under_maintenance"];
    public static readonly string[] IncidentStatuses = ["investigating", "identified", "monitoring", "resolved", "postmortem"];
    public static readonly string[] MaintenanceStatuses = ["scheduled", "in_progress", "verifying", "completed"];
    public static readonly string[] Impacts = ["none", "minor", "major", "critical"];
    public static readonly string[] Indicators = ["none", "minor", "major", "critical"];

    public static void Page(JsonElement page)
    {
        Fields(page, "id", "name", "url", "time_zone", "updated_at");
        String(page, "id");
        String(page, "name");
        String(page, "url");
        String(page, "time_zone");
        Instant(page, "updated_at");
    }

    public static void Status(JsonElement status)
    {
        Fields(status, "indicator", "description");
        Assert.Contains(status.GetProperty("indicator").GetString(), Indicators);
        String(status, "description");
    }

    public static void Component(JsonElement c)
    {
        var isGroup = c.GetProperty("group").GetBoolean();
        string[] fields = ["id", "name", "status", "created_at", "updated_at", "position", "description", "showcase", "start_date", "group_id", "page_id", "group", "only_show_if_degraded"];
        Fields(c, isGroup ? [.. fields, "components"] : fields);
        String(c, "id");
        String(c, "name");
        Assert.Contains(c.GetProperty("status").GetString(), ComponentStatuses);
        Instant(c, "created_at");
        Instant(c, "updated_at");
        Assert.Equal(JsonValueKind.Number, c.GetProperty("position").ValueKind);
        NullableString(c, "description");
        Bool(c, "showcase");
        Assert.True(DateOnly.TryParseExact(c.GetProperty("start_date").GetString(), "yyyy-MM-dd", out _));
        NullableString(c, "group_id");
        String(c, "page_id");
        Bool(c, "only_show_if_degraded");
        if (isGroup)
            Assert.All(c.GetProperty("components").EnumerateArray(), id => Assert.Equal(JsonValueKind.String, id.ValueKind));
    }

    public static void Incident(JsonElement i, bool maintenance)
    {
        string[] fields = ["id", "name", "status", "created_at", "updated_at", "monitoring_at", "resolved_at", "impact", "shortlink", "started_at", "page_id", "incident_updates", "components"];
        Fields(i, maintenance ? [.. fields, "scheduled_for", "scheduled_until"] : fields);
        String(i, "id");
        String(i, "name");
        Assert.Contains(i.GetProperty("status").GetString(), maintenance ? MaintenanceStatuses : IncidentStatuses);
        Assert.Contains(i.GetProperty("impact").GetString(), maintenance ? [.. Impacts, "maintenance"] : Impacts);
        Instant(i, "created_at");
        Instant(i, "updated_at");
        Instant(i, "started_at");
        NullableInstant(i, "monitoring_at");
        NullableInstant(i, "resolved_at");
        Assert.True(Uri.TryCreate(i.GetProperty("shortlink").GetString(), UriKind.Absolute, out _));
        String(i, "page_id");
        if (maintenance)
        {
            Instant(i, "scheduled_for");
            Instant(i, "scheduled_until");
        }
        foreach (var update in i.GetProperty("incident_updates").EnumerateArray())
            Update(update, i.GetProperty("id").GetString()!, maintenance);
        foreach (var component in i.GetProperty("components").EnumerateArray())
            Component(component);
    }

    static void Update(JsonElement u, string incidentId, bool maintenance)
    {
        Fields(u, "id", "status", "body", "incident_id", "created_at", "updated_at", "display_at", "affected_components", "deliver_notifications", "custom_tweet", "tweet_id");
        String(u, "id");
        Assert.Contains(u.GetProperty("status").GetString(), maintenance ? MaintenanceStatuses : IncidentStatuses);
        String(u, "body");
        Assert.Equal(incidentId, u.GetProperty("incident_id").GetString());
        Instant(u, "created_at");
        Instant(u, "updated_at");
        Instant(u, "display_at");
        foreach (var affected in u.GetProperty("affected_components").EnumerateArray())
        {
            Fields(affected, "code", "name", "old_status", "new_status");
            Assert.Contains(affected.GetProperty("old_status").GetString(), ComponentStatuses);
            Assert.Contains(affected.GetProperty("new_status").GetString(), ComponentStatuses);
        }
        Bool(u, "deliver_notifications");
        NullableString(u, "custom_tweet");
        NullableString(u, "tweet_id");
    }

    static void Fields(JsonElement element, params string[] names)
    {
        Assert.Equal(JsonValueKind.Object, element.ValueKind);
        Assert.Equal(names.Order(), element.EnumerateObject().Select(p => p.Name).Order());
    }

    static void String(JsonElement e, string name) => Assert.False(string.IsNullOrEmpty(e.GetProperty(name).GetString()), name);

    static void NullableString(JsonElement e, string name) =>
        Assert.Contains(e.GetProperty(name).ValueKind, new[] { JsonValueKind.String, JsonValueKind.Null });

    static void Bool(JsonElement e, string name) =>
        Assert.Contains(e.GetProperty(name).ValueKind, new[] { JsonValueKind.True, JsonValueKind.False });

    static void Instant(JsonElement e, string name) =>
        Assert.True(DateTimeOffset.TryParseExact(e.GetProperty(name).GetString(), "yyyy-MM-dd'T'HH:mm:ss.fffK", CultureInfo.InvariantCulture, DateTimeStyles.None, out _),
            $"{name} is not an ISO 8601 instant: {e.GetProperty(name)}");

    static void NullableInstant(JsonElement e, string name)
    {
        if (e.GetProperty(name).ValueKind != JsonValueKind.Null)
            Instant(e, name);
    }
}
