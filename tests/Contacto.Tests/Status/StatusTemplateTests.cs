using System.Text.Encodings.Web;
using Contacto.Status.Incidents;
using Contacto.Status;
using RazorSlices;

namespace Contacto.Tests.Status;

/// <summary>
/// The status page rendered from its template with hostile text everywhere staff or configuration
/// write it: names, descriptions, incident updates, postmortems, maintenance windows.
/// </summary>
public sealed class StatusTemplateTests
{
    static readonly DateTimeOffset At = new(2026, 3, 4, 5, 6, 7, TimeSpan.Zero);

    static string Hostile(string field) => $"<i>\"'&{field}";

    [Fact]
    public async Task Hostile_text_shows_encoded_and_never_as_markup()
    {
        var options = new StatusOptions
        {
            PageName = Hostile("page-name"),
            Groups =
            [
                new() { Id = "g", Name = Hostile("group"), Components = [new() { Id = "c\"x", Name = Hostile("component"), Description = Hostile("description") }] },
            ],
        };
        var group = new ComponentView("g", Hostile("group"), null, ComponentStatus.PartialOutage, 1, null, true, ["c\"x"], false, At, At);
        var component = new ComponentView("c\"x", Hostile("component"), Hostile("description"), ComponentStatus.PartialOutage, 2, "g", false, [], false, At, At);
        var open = Incident(Hostile("open-name"), Hostile("open-update"), IncidentStatus.Investigating, null);
        var past = Incident(Hostile("past-name"), Hostile("past-update"), IncidentStatus.Postmortem, Hostile("postmortem"));
        var maintenance = Incident(Hostile("maintenance-name"), Hostile("maintenance-update"), IncidentStatus.Scheduled, null);
        maintenance.IsMaintenance = true;
        maintenance.ScheduledFor = At.AddDays(1);
        maintenance.ScheduledUntil = At.AddDays(1).AddHours(1);
        var snapshot = new StatusSnapshot(options, [group, component], [open, past], [maintenance], At);
        var uptime = new Dictionary<string, UptimeSummary> { ["c\"x"] = Uptime.Compute([(At.AddDays(-3), ComponentStatus.Operational)], At) };

        var html = await Contacto.Status.Views.StatusPage.Create(new StatusPageModel(snapshot, uptime)).RenderAsync();

        Assert.DoesNotContain("<i>", html);
        foreach (var field in new[] { "page-name", "group", "component", "description", "open-name", "open-update", "past-name", "past-update", "postmortem",
                     "maintenance-name", "maintenance-update" })
            Assert.Contains(HtmlEncoder.Default.Encode(Hostile(field)), html);
        Assert.Contains("id=\"component-c&quot;x\"", html);
        Assert.Contains($"title=\"{HtmlEncoder.Default.Encode(Hostile("page-name"))} incident history (Atom)\"", html);
        Assert.Equal(1, (html.Length - html.Replace("<script", "").Length) / "<script".Length);
        Assert.DoesNotContain(" style=", html);
    }

    static Incident Incident(string name, string body, IncidentStatus status, string? postmortem)
    {
        var incident = new Incident
        {
            Id = Guid.NewGuid(), Name = name, Status = status, Impact = IncidentImpact.Minor, ComponentIds = ["c\"x"], CreatedAt = At, UpdatedAt = At, StartedAt = At,
            PostmortemBody = postmortem,
        };
        incident.Updates.Add(new IncidentUpdate { Id = Guid.NewGuid(), IncidentId = incident.Id, Status = status, Body = body, CreatedAt = At, DisplayAt = At });
        return incident;
    }
}
