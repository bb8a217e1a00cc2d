using System.Globalization;
using Contacto.Api;
using Contacto.Operations;
using Contacto.Status;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Options;

namespace Contacto.Status.Incidents;

/// <summary>The staff incident API, on the ops plane behind an operator token.</summary>
internal static class IncidentEndpoints
{
    static readonly string[] CreateParameters = ["name", "body", "status", "impact", "priority", "component_ids"];
    static readonly string[] UpdateParameters = ["status", "body", "impact"];
    static readonly string[] PostmortemParameters = ["body"];
    static readonly string[] MaintenanceParameters = ["name", "body", "scheduled_for", "scheduled_until", "component_ids"];

    internal static IEndpointRouteBuilder MapIncidents(this IEndpointRouteBuilder endpoints)
    {
        var staff = endpoints.MapGroup("/ops").OnOpsPlane().AddEndpointFilter<OperatorAuthentication>();
        staff.MapPost("/incidents", CreateAsync);
        staff.MapGet("/incidents", ListAsync);
        staff.MapGet("/incidents/{id:guid}", GetAsync);
        staff.MapPost("/incidents/{id:guid}/updates", UpdateAsync);
        staff.MapPost("/incidents/{id:guid}/postmortem", PostmortemAsync);
        staff.MapPost("/incidents/{id:guid}/acknowledge", AcknowledgeAsync);
        staff.MapPost("/maintenances", ScheduleAsync);
        return endpoints;
    }

    static async Task<IResult> CreateAsync(HttpContext context, IncidentService incidents, ComponentMonitor monitor, StatusReader reader, IOptions<StatusOptions> options)
    {
        var p = await ApiParameters.ReadAsync(context.Request, CreateParameters);
        var spec = new IncidentService.NewIncident(
            Name: p.String("name", IncidentService.MaxNameLength, required: true)!,
            Body: p.String("body", IncidentService.MaxBodyLength, required: true)!,
            Status: Choice(p, "status", IncidentStatus.Investigating, Incident.Unresolved),
            Impact: Choice(p, "impact", IncidentImpact.Minor, [IncidentImpact.None, IncidentImpact.Minor, IncidentImpact.Major, IncidentImpact.Critical]),
            Priority: Priority(p.String("priority", 2)),
            ComponentIds: Components(p, options.Value));
        var incident = await incidents.CreateAsync(spec, context.RequestAborted);
        await monitor.RefreshAsync(context.RequestAborted);
        return await ViewAsync(context, reader, options, incident, StatusCodes.Status201Created);
    }

    static async Task<IResult> ListAsync(HttpContext context, IncidentService incidents, StatusReader reader, IOptions<StatusOptions> options)
    {
        await ApiParameters.ReadAsync(context.Request, []);
        var snapshot = await reader.ReadAsync(context.RequestAborted);
        var url = StatusEndpoints.BaseUrl(context, options.Value);
        var all = await incidents.ListAsync(context.RequestAborted);
        return Results.Json(new { api_id = ApiResults.ApiId(context), incidents = all.Select(i => StaffView(snapshot, i, url)) }, StatusEndpoints.Json);
    }

    static async Task<IResult> GetAsync(HttpContext context, Guid id, IncidentService incidents, StatusReader reader, IOptions<StatusOptions> options)
    {
        await ApiParameters.ReadAsync(context.Request, []);
        var incident = await incidents.FindAsync(id, context.RequestAborted) ?? throw ApiException.NotFound();
        return await ViewAsync(context, reader, options, incident, StatusCodes.Status200OK);
    }

    static async Task<IResult> UpdateAsync(HttpContext context, Guid id, IncidentService incidents, ComponentMonitor monitor, StatusReader reader, IOptions<StatusOptions> options)
    {
        var p = await ApiParameters.ReadAsync(context.Request, UpdateParameters);
        var status = Choice<IncidentStatus>(p, "status", null, Enum.GetValues<IncidentStatus>());
        var body = p.String("body", IncidentService.MaxBodyLength, required: true)!;
        IncidentImpact? impact = p.Has("impact") ? Choice(p, "impact", IncidentImpact.None, [IncidentImpact.None, IncidentImpact.Minor, IncidentImpact.Major, IncidentImpact.Critical]) : null;
        var incident = await incidents.UpdateAsync(id, status, body, impact, context.RequestAborted);
        await monitor.RefreshAsync(context.RequestAborted);
        return await ViewAsync(context, reader, options, incident, StatusCodes.Status200OK);
    }

    static async Task<IResult> PostmortemAsync(HttpContext context, Guid id, IncidentService incidents, ComponentMonitor monitor, StatusReader reader, IOptions<StatusOptions> options)
    {
        var p = await ApiParameters.ReadAsync(context.Request, PostmortemParameters);
        var incident = await incidents.PublishPostmortemAsync(id, p.String("body", IncidentService.MaxBodyLength, required: true)!, context.RequestAborted);
        await monitor.RefreshAsync(context.RequestAborted);
        return await ViewAsync(context, reader, options, incident, StatusCodes.Status200OK);
    }

    static async Task<IResult> AcknowledgeAsync(HttpContext context, Guid id, IncidentService incidents, StatusReader reader, IOptions<StatusOptions> options)
    {
        await ApiParameters.ReadAsync(context.Request, []);
        var incident = await incidents.AcknowledgeAsync(id, context.RequestAborted);
        return await ViewAsync(context, reader, options, incident, StatusCodes.Status200OK);
    }

    static async Task<IResult> ScheduleAsync(HttpContext context, IncidentService incidents, ComponentMonitor monitor, StatusReader reader, IOptions<StatusOptions> options)
    {
        var p = await ApiParameters.ReadAsync(context.Request, MaintenanceParameters);
        var name = p.String("name", IncidentService.MaxNameLength, required: true)!;
        var body = p.String("body", IncidentService.MaxBodyLength, required: true)!;
        var from = Instant(p, "scheduled_for");
        var until = Instant(p, "scheduled_until");
        if (until <= from)
            throw ApiException.BadRequest("scheduled_until must be after scheduled_for");
        var maintenance = await incidents.ScheduleMaintenanceAsync(name, body, from, until, Components(p, options.Value), context.RequestAborted);
        await monitor.RefreshAsync(context.RequestAborted);
        return await ViewAsync(context, reader, options, maintenance, StatusCodes.Status201Created);
    }

    /// <summary>The public Statuspage shape plus what only staff see.</summary>
    static Dictionary<string, object?> StaffView(StatusSnapshot snapshot, Incident incident, string url)
    {
        var view = StatuspageJson.Incident(snapshot, incident, url);
        view["priority"] = $"P{incident.Priority}";
        view["acknowledged_at"] = incident.AcknowledgedAt is { } at ? StatuspageJson.Instant(at) : null;
        view["paged_level"] = incident.PagedLevel;
        view["postmortem_body"] = incident.PostmortemBody;
        view["opened_by_monitor"] = incident.OpenedForComponent is not null;
        return view;
    }

    static async Task<IResult> ViewAsync(HttpContext context, StatusReader reader, IOptions<StatusOptions> options, Incident incident, int status)
    {
        var snapshot = await reader.ReadAsync(context.RequestAborted);
        incident.Updates = [.. incident.Updates.OrderByDescending(u => u.DisplayAt).ThenByDescending(u => u.Id)];
        var view = StaffView(snapshot, incident, StatusEndpoints.BaseUrl(context, options.Value));
        view["api_id"] = ApiResults.ApiId(context);
        return Results.Json(view, StatusEndpoints.Json, statusCode: status);
    }

    static T Choice<T>(ApiParameters p, string name, T? fallback, IReadOnlyCollection<T> allowed) where T : struct, Enum
    {
        var text = p.String(name, 32, required: fallback is null);
        if (text is null)
            return fallback!.Value;
        return WireNames.TryParse<T>(text, out var value) && allowed.Contains(value)
            ? value
            : throw ApiException.BadRequest($"{name} must be one of {string.Join(", ", allowed.Select(WireNames.Of))}");
    }

    /// <summary><c>P1</c> to <c>P4</c> (or 1 to 4); P3 when not given.</summary>
    static int Priority(string? text) => text?.TrimStart('P', 'p') switch
    {
        null => 3,
        { Length: 1 } digit when digit[0] is >= '1' and <= '4' => digit[0] - '0',
        _ => throw ApiException.BadRequest("priority must be P1, P2, P3 or P4"),
    };

    /// <summary>A comma-separated list of configured component ids.</summary>
    static List<string> Components(ApiParameters p, StatusOptions options)
    {
        var ids = (p.String("component_ids", 2000) ?? "").Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries).Distinct().ToList();
        var unknown = ids.FirstOrDefault(id => !options.AllComponents.Any(c => c.Component.Id == id));
        return unknown is null ? ids : throw ApiException.BadRequest($"component_ids: no component '{unknown}'");
    }

    static DateTimeOffset Instant(ApiParameters p, string name) =>
        DateTimeOffset.TryParse(p.String(name, 40, required: true), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var value)
            ? value
            : throw ApiException.BadRequest($"{name} must be an ISO 8601 date and time");
}
