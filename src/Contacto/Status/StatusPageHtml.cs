using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using Contacto.Incidents;

namespace Contacto.Status;

/// <summary>
/// The public status page, rendered on the server: complete without JavaScript, every value
/// HTML-encoded, no inline script or style (the page's CSP forbids them). Status is always said in
/// words, never by colour alone. The script only swaps in a fresh render of <c>#status</c>.
/// </summary>
public static class StatusPageHtml
{
    public const string ScriptPath = "/status/assets/status.js";
    public const string StylePath = "/status/assets/status.css";
    public const string IconPath = "/status/assets/favicon.svg";
    public const string StreamPath = "/status/stream";

    public static string Render(StatusSnapshot s, IReadOnlyDictionary<string, UptimeSummary> uptime)
    {
        var name = Encode(s.Options.PageName);
        var html = new StringBuilder();
        html.Append($"""
            <!doctype html>
            <html lang="en">
            <head>
            <meta charset="utf-8">
            <meta name="viewport" content="width=device-width, initial-scale=1">
            <title>{name} status</title>
            <link rel="stylesheet" href="{StylePath}">
            <link rel="icon" type="image/svg+xml" href="{IconPath}">
            <link rel="alternate" type="application/atom+xml" title="{name} incident history (Atom)" href="/history.atom">
            <link rel="alternate" type="application/rss+xml" title="{name} incident history (RSS)" href="/history.rss">
            <script src="{ScriptPath}" defer></script>
            </head>
            <body>
            <a class="skip" href="#status">Skip to the status</a>
            <header><h1>{name} status</h1></header>

            """);
        RenderMain(html, s, uptime);
        html.Append("""
            <div id="live" class="visually-hidden" role="status" aria-live="polite"></div>
            <footer><p>Subscribe: <a href="/history.atom">Atom</a> · <a href="/history.rss">RSS</a> · <a href="/api/v2/summary.json">JSON</a></p></footer>
            </body>
            </html>

            """);
        return html.ToString();
    }

    static void RenderMain(StringBuilder html, StatusSnapshot s, IReadOnlyDictionary<string, UptimeSummary> uptime)
    {
        html.Append($"""<main id="status" data-updated-at="{StatuspageJson.Instant(s.UpdatedAt)}" data-stream="{StreamPath}">""").Append('\n');
        html.Append($"""<section class="overall indicator-{WireNames.Of(s.Indicator)}" aria-labelledby="overall"><h2 id="overall">{Encode(s.Description)}</h2></section>""").Append('\n');

        var unresolved = s.UnresolvedIncidents.ToList();
        if (unresolved.Count > 0)
            Section(html, "open-incidents", "Open incidents", unresolved, s);
        var maintenances = s.ActiveMaintenances.Concat(s.UpcomingMaintenances.OrderBy(m => m.ScheduledFor)).ToList();
        if (maintenances.Count > 0)
            Section(html, "maintenance", "Scheduled maintenance", maintenances, s);

        html.Append("""<section aria-labelledby="components-heading"><h2 id="components-heading">Components</h2>""").Append('\n');
        foreach (var group in s.Components.Where(c => c.IsGroup))
        {
            html.Append($"""<h3 class="group">{Encode(group.Name)} <span class="status status-{WireNames.Of(group.Status)}">{WireNames.Label(group.Status)}</span></h3>""").Append('\n');
            html.Append("""<ul class="components">""").Append('\n');
            foreach (var component in group.ChildIds.Select(s.Component).OfType<ComponentView>())
                if (!component.OnlyShowIfDegraded || component.Status != ComponentStatus.Operational)
                    RenderComponent(html, component, uptime.GetValueOrDefault(component.Id), s.Options.UptimeTarget);
            html.Append("</ul>\n");
        }
        html.Append("</section>\n");

        var history = s.Incidents.Where(i => !Incident.Unresolved.Contains(i.Status)).ToList();
        if (history.Count > 0)
            Section(html, "history", "Past incidents", history, s);
        else
            html.Append("""<section aria-labelledby="history"><h2 id="history">Past incidents</h2><p>No incidents reported.</p></section>""").Append('\n');
        html.Append("</main>\n");
    }

    static void RenderComponent(StringBuilder html, ComponentView c, UptimeSummary? uptime, double target)
    {
        html.Append($"""<li class="component" id="component-{Encode(c.Id)}"><div class="component-head"><span class="component-name">{Encode(c.Name)}</span> <span class="status status-{WireNames.Of(c.Status)}">{WireNames.Label(c.Status)}</span></div>""");
        if (c.Description is { } description)
            html.Append($"""<p class="component-description">{Encode(description)}</p>""");
        if (uptime is not null)
        {
            var met = uptime.Percent >= target;
            html.Append($"""<p class="uptime">{Percent(uptime.Percent)} uptime over the last {Uptime.Days} days <span class="{(met ? "target-met" : "target-missed")}">(target {Percent(target)}{(met ? "" : ", missed")})</span></p>""");
            html.Append("""<ol class="bars" aria-hidden="true">""");
            foreach (var day in uptime.Days)
            {
                var kind = day.Percent is null ? "no-data" : WireNames.Of(day.Worst);
                var label = day.Percent is { } p ? $"{day.Date:yyyy-MM-dd}: {Percent(p)}, worst {WireNames.Label(day.Worst).ToLowerInvariant()}" : $"{day.Date:yyyy-MM-dd}: no data";
                html.Append($"""<li class="bar bar-{kind}" title="{label}"></li>""");
            }
            html.Append("</ol>");
        }
        html.Append("</li>\n");
    }

    static void Section(StringBuilder html, string id, string title, IEnumerable<Incident> incidents, StatusSnapshot s)
    {
        html.Append($"""<section aria-labelledby="{id}"><h2 id="{id}">{title}</h2>""").Append('\n');
        foreach (var incident in incidents)
            RenderIncident(html, incident, s);
        html.Append("</section>\n");
    }

    static void RenderIncident(StringBuilder html, Incident i, StatusSnapshot s)
    {
        html.Append($"""<article class="incident impact-{WireNames.Of(i.Impact)}" id="incident-{i.Id}"><h3>{Encode(i.Name)}</h3>""");
        html.Append($"""<p class="incident-meta">{WireNames.Label(i.Status)} · impact: {WireNames.Of(i.Impact)}""");
        if (i.ScheduledFor is { } from && i.ScheduledUntil is { } until)
            html.Append($" · scheduled {Time(from)} to {Time(until)}");
        var affected = i.ComponentIds.Select(s.Component).OfType<ComponentView>().Select(c => Encode(c.Name)).ToList();
        if (affected.Count > 0)
            html.Append($" · affects {string.Join(", ", affected)}");
        html.Append("</p>\n");
        if (i.PostmortemBody is { } postmortem)
            html.Append($"""<div class="postmortem"><h4>Postmortem</h4><p class="body">{Encode(postmortem)}</p></div>""");
        html.Append("""<ol class="updates">""");
        foreach (var u in i.Updates)
            html.Append($"""<li><strong>{WireNames.Label(u.Status)}</strong> {Time(u.DisplayAt)}<p class="body">{Encode(u.Body)}</p></li>""");
        html.Append("</ol></article>\n");
    }

    static string Time(DateTimeOffset at) =>
        $"""<time datetime="{StatuspageJson.Instant(at)}">{at.UtcDateTime.ToString("d MMM yyyy, HH:mm 'UTC'", CultureInfo.InvariantCulture)}</time>""";

    static string Percent(double value) => value.ToString("0.00", CultureInfo.InvariantCulture) + "%";

    static string Encode(string text) => HtmlEncoder.Default.Encode(text);
}
