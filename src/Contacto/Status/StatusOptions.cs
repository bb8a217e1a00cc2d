using System.Text.RegularExpressions;
using Microsoft.Extensions.Options;

namespace Contacto.Status;

/// <summary>Section <c>Status</c>: the public page, its components in groups, and the monitors.</summary>
public sealed class StatusOptions
{
    public const string Section = "Status";
    public const int MaxIdLength = 64;

    /// <summary>The Statuspage <c>page.id</c>.</summary>
    public string PageId { get; set; } = "contacto";
    public string PageName { get; set; } = "Contacto";

    /// <summary>Where the public plane is reached (for feed links); the request's own address when unset.</summary>
    public string? PublicUrl { get; set; }

    /// <summary>The uptime each component is measured against, in percent.</summary>
    public double UptimeTarget { get; set; } = 99.95;

    /// <summary>Empty means <see cref="DefaultGroups"/>.</summary>
    public List<ComponentGroupOptions> Groups { get; set; } = [];

    public MonitorOptions Monitors { get; set; } = new();

    public IEnumerable<(ComponentGroupOptions Group, ComponentOptions Component)> AllComponents =>
        Groups.SelectMany(g => g.Components.Select(c => (g, c)));

    public static List<ComponentGroupOptions> DefaultGroups() =>
    [
        new()
        {
            Id = "platform",
            Name = "Platform",
            Components =
            [
                new() { Id = "api", Name = "REST API", Monitors = [MonitorSubjects.Api, MonitorSubjects.Storage] },
                new() { Id = "console", Name = "Console", Monitors = [MonitorSubjects.Storage] },
            ],
        },
    ];
}

/// <summary>A group of components: API and console, messaging per country, points of presence.</summary>
public sealed class ComponentGroupOptions
{
    public string Id { get; set; } = "";
    public string Name { get; set; } = "";
    public string? Description { get; set; }
    public List<ComponentOptions> Components { get; set; } = [];
}

public sealed class ComponentOptions
{
    public string Id { get; set; } = "";
    public string Name { get; set; } = "";
    public string? Description { get; set; }

    /// <summary>The monitor subjects this component follows; the worst of them is its status.</summary>
    public List<string> Monitors { get; set; } = [];

    /// <summary>
    /// The priority of the incident a monitor opens when this component stays down: 1 for a whole
    /// service or country, lower for one point of presence among several. When every component of
    /// the group is down the incident is P1 whatever this says.
    /// </summary>
    public int OutagePriority { get; set; } = 1;
    public bool OnlyShowIfDegraded { get; set; }
}

public sealed class MonitorOptions
{
    public int IntervalSeconds { get; set; } = 30;

    /// <summary>How long a component stays in major outage before a monitor opens an incident.</summary>
    public int OpenIncidentAfterSeconds { get; set; } = 300;

    public ApiMonitorOptions Api { get; set; } = new();
}

/// <summary>How the public API's own traffic turns into a status.</summary>
public sealed class ApiMonitorOptions
{
    public int WindowSeconds { get; set; } = 300;

    /// <summary>Fewer requests than this in the window say nothing.</summary>
    public int MinimumRequests { get; set; } = 20;
    public int SlowRequestMilliseconds { get; set; } = 2000;

    /// <summary>Share of slow requests from which the API is degraded.</summary>
    public double DegradedSlowShare { get; set; } = 0.10;

    /// <summary>Share of 5xx answers from which the API is in partial, then major, outage.</summary>
    public double PartialOutageErrorShare { get; set; } = 0.05;
    public double MajorOutageErrorShare { get; set; } = 0.50;
}

sealed partial class StatusOptionsValidator : IValidateOptions<StatusOptions>
{
    public ValidateOptionsResult Validate(string? name, StatusOptions o)
    {
        var errors = new List<string>();
        const string s = StatusOptions.Section;
        if (!IsId(o.PageId))
            errors.Add($"{s}:PageId: {IdRule}");
        if (string.IsNullOrWhiteSpace(o.PageName) || o.PageName.Length > 100)
            errors.Add($"{s}:PageName: must be 1 to 100 characters");
        if (o.PublicUrl is not null && !IsHttpUrl(o.PublicUrl))
            errors.Add($"{s}:PublicUrl: must be an absolute http or https URL");
        if (o.UptimeTarget is <= 0 or >= 100)
            errors.Add($"{s}:UptimeTarget: must be a percentage between 0 and 100 (got {o.UptimeTarget})");
        var ids = new HashSet<string>(StringComparer.Ordinal);
        for (var g = 0; g < o.Groups.Count; g++)
        {
            var group = o.Groups[g];
            var groupKey = $"{s}:Groups:{g}";
            CheckNamed(errors, groupKey, group.Id, group.Name, ids);
            if (group.Components.Count == 0)
                errors.Add($"{groupKey}:Components: a group needs at least one component");
            for (var c = 0; c < group.Components.Count; c++)
            {
                var component = group.Components[c];
                var key = $"{groupKey}:Components:{c}";
                CheckNamed(errors, key, component.Id, component.Name, ids);
                if (component.OutagePriority is < 1 or > 4)
                    errors.Add($"{key}:OutagePriority: must be 1 to 4 (got {component.OutagePriority})");
                if (component.Monitors.Any(string.IsNullOrWhiteSpace))
                    errors.Add($"{key}:Monitors: names a blank subject");
            }
        }
        var m = o.Monitors;
        if (m.IntervalSeconds is < 1 or > 3600)
            errors.Add($"{s}:Monitors:IntervalSeconds: must be between 1 and 3600 (got {m.IntervalSeconds})");
        if (m.OpenIncidentAfterSeconds is < 0 or > 86400)
            errors.Add($"{s}:Monitors:OpenIncidentAfterSeconds: must be between 0 and 86400 (got {m.OpenIncidentAfterSeconds})");
        if (m.Api.WindowSeconds is < 10 or > 86400)
            errors.Add($"{s}:Monitors:Api:WindowSeconds: must be between 10 and 86400 (got {m.Api.WindowSeconds})");
        if (m.Api.MinimumRequests < 1)
            errors.Add($"{s}:Monitors:Api:MinimumRequests: must be at least 1");
        if (m.Api.SlowRequestMilliseconds < 1)
            errors.Add($"{s}:Monitors:Api:SlowRequestMilliseconds: must be at least 1");
        foreach (var (key, share) in new[]
                 {
                     ("DegradedSlowShare", m.Api.DegradedSlowShare), ("PartialOutageErrorShare", m.Api.PartialOutageErrorShare),
                     ("MajorOutageErrorShare", m.Api.MajorOutageErrorShare),
                 })
            if (share is <= 0 or > 1)
                errors.Add($"{s}:Monitors:Api:{key}: must be a share above 0 and at most 1 (got {share})");
        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }

    const string IdRule = "must be 1 to 64 lower-case letters, digits or dashes";

    static void CheckNamed(List<string> errors, string key, string id, string name, HashSet<string> ids)
    {
        if (!IsId(id))
            errors.Add($"{key}:Id: {IdRule}");
        else if (!ids.Add(id))
            errors.Add($"{key}:Id: '{id}' is used twice");
        if (string.IsNullOrWhiteSpace(name) || name.Length > 100)
            errors.Add($"{key}:Name: must be 1 to 100 characters");
    }

    static bool IsId(string? id) => id is { Length: > 0 and <= StatusOptions.MaxIdLength } && IdPattern().IsMatch(id);

    internal static bool IsHttpUrl(string url) =>
        Uri.TryCreate(url, UriKind.Absolute, out var uri) && (uri.Scheme == Uri.UriSchemeHttps || uri.Scheme == Uri.UriSchemeHttp);

    [GeneratedRegex("^[a-z0-9][a-z0-9-]*$")]
    private static partial Regex IdPattern();
}
