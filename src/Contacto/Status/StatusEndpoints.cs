using System.Text.Json;
using Contacto.Api;
using Contacto.Operations;
using Contacto.Platform;
using Contacto.Storage;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace Contacto.Status;

/// <summary>
/// The public status page, the Statuspage v2 JSON API, the feeds and the event stream (public
/// plane, no sign-in), and the staff component API (ops plane, operator token).
/// </summary>
public static class StatusEndpoints
{
    /// <summary>Property names exactly as written: Statuspage's are snake_case already.</summary>
    public static readonly JsonSerializerOptions Json = new();

    public const string ScriptPath = "/status/assets/status.js";
    public const string StylePath = "/status/assets/status.css";
    public const string IconPath = "/status/assets/favicon.svg";
    public const string StreamPath = "/status/stream";

    const string PageSecurityPolicy =
        "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

    static readonly string[] OverrideParameters = ["status"];

    public static IEndpointRouteBuilder MapContactoStatus(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapGet("/status", PageAsync);
        endpoints.MapGet(ScriptPath, () => Asset("status.js", "text/javascript; charset=utf-8"));
        endpoints.MapGet(StylePath, () => Asset("status.css", "text/css; charset=utf-8"));
        endpoints.MapGet(IconPath, () => Asset("favicon.svg", "image/svg+xml"));
        endpoints.MapGet(StreamPath, StreamAsync);
        endpoints.MapGet("/history.atom", async (HttpContext context, StatusReader reader, IOptions<StatusOptions> options) =>
            Results.Bytes(StatusFeeds.Atom(await reader.ReadAsync(context.RequestAborted), BaseUrl(context, options.Value)), "application/atom+xml; charset=utf-8"));
        endpoints.MapGet("/history.rss", async (HttpContext context, StatusReader reader, IOptions<StatusOptions> options) =>
            Results.Bytes(StatusFeeds.Rss(await reader.ReadAsync(context.RequestAborted), BaseUrl(context, options.Value)), "application/rss+xml; charset=utf-8"));

        // Widgets on other sites read these: public data, no credentials, so any origin may.
        var api = endpoints.MapGroup("/api/v2").AddEndpointFilter((invocation, next) =>
        {
            invocation.HttpContext.Response.Headers.AccessControlAllowOrigin = "*";
            return next(invocation);
        });
        MapJson(api, "/summary.json", (s, url) => StatuspageJson.Summary(s, url));
        MapJson(api, "/status.json", (s, url) => new { page = StatuspageJson.Page(s, url), status = StatuspageJson.Status(s) });
        MapJson(api, "/components.json", (s, url) => new { page = StatuspageJson.Page(s, url), components = StatuspageJson.Components(s) });
        MapJson(api, "/incidents.json", (s, url) => Incidents(s, url, s.Incidents));
        MapJson(api, "/incidents/unresolved.json", (s, url) => Incidents(s, url, s.UnresolvedIncidents));
        MapJson(api, "/scheduled-maintenances.json", (s, url) => Maintenances(s, url, s.Maintenances));
        MapJson(api, "/scheduled-maintenances/upcoming.json", (s, url) => Maintenances(s, url, s.UpcomingMaintenances));
        MapJson(api, "/scheduled-maintenances/active.json", (s, url) => Maintenances(s, url, s.ActiveMaintenances));

        var staff = endpoints.MapGroup("/ops/components").OnOpsPlane().AddEndpointFilter<OperatorAuthentication>();
        staff.MapGet("/", ListComponentsAsync);
        staff.MapPost("/{id}", OverrideAsync);
        return endpoints;
    }

    static void MapJson(RouteGroupBuilder api, string path, Func<StatusSnapshot, string, object> shape) =>
        api.MapGet(path, async (HttpContext context, StatusReader reader, IOptions<StatusOptions> options) =>
            Results.Json(shape(await reader.ReadAsync(context.RequestAborted), BaseUrl(context, options.Value)), Json));

    static object Incidents(StatusSnapshot s, string url, IEnumerable<Incidents.Incident> incidents) =>
        new { page = StatuspageJson.Page(s, url), incidents = incidents.Select(i => StatuspageJson.Incident(s, i, url)) };

    static object Maintenances(StatusSnapshot s, string url, IEnumerable<Incidents.Incident> maintenances) =>
        new { page = StatuspageJson.Page(s, url), scheduled_maintenances = maintenances.Select(i => StatuspageJson.Incident(s, i, url)) };

    static async Task<IResult> PageAsync(HttpContext context, StatusReader reader, IDbContextFactory<ContactoDbContext> contexts, TimeProvider time)
    {
        var snapshot = await reader.ReadAsync(context.RequestAborted);
        await using var db = contexts.CreateDbContext();
        var ids = snapshot.Components.Where(c => !c.IsGroup).Select(c => c.Id).ToList();
        var uptime = await Uptime.ForComponentsAsync(db, ids, time.GetUtcNow(), context.RequestAborted);
        var headers = context.Response.Headers;
        headers.ContentSecurityPolicy = PageSecurityPolicy;
        headers.XContentTypeOptions = "nosniff";
        headers["Referrer-Policy"] = "no-referrer";
        headers.CacheControl = "no-store";
        return Views.StatusPage.Create(new StatusPageModel(snapshot, uptime));
    }

    static async Task<IResult> StreamAsync(HttpContext context, StatusReader reader, StatusBroadcaster broadcaster, IOptions<StatusOptions> options,
        IHostApplicationLifetime lifetime)
    {
        var snapshot = await reader.ReadAsync(context.RequestAborted);
        var current = JsonSerializer.Serialize(StatuspageJson.Summary(snapshot, options.Value.PublicUrl?.TrimEnd('/') ?? ""), Json);
        context.Response.Headers.CacheControl = "no-store";
        // Streams never end by themselves: close them when the node stops so shutdown need not wait out the drain
        // time. Browsers reconnect, to another node behind the load balancer.
        var until = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted, lifetime.ApplicationStopping);
        context.Response.RegisterForDispose(until);
        return TypedResults.ServerSentEvents(broadcaster.SubscribeAsync(current, until.Token));
    }

    static IResult Asset(string name, string contentType) => EmbeddedAsset.Result($"Contacto.Status.Assets.{name}", contentType);

    /// <summary>The configured public address, else the one this request came to.</summary>
    public static string BaseUrl(HttpContext context, StatusOptions options) =>
        options.PublicUrl?.TrimEnd('/') ?? $"{context.Request.Scheme}://{context.Request.Host}";

    static async Task<IResult> ListComponentsAsync(HttpContext context, IDbContextFactory<ContactoDbContext> contexts, StatusReader reader)
    {
        await ApiParameters.ReadAsync(context.Request, []);
        var snapshot = await reader.ReadAsync(context.RequestAborted);
        await using var db = contexts.CreateDbContext();
        var stored = await db.Set<StatusComponent>().AsNoTracking().ToDictionaryAsync(c => c.Id, context.RequestAborted);
        return Results.Json(new
        {
            api_id = ApiResults.ApiId(context),
            components = snapshot.Components.Where(c => !c.IsGroup).Select(c => new
            {
                id = c.Id,
                name = c.Name,
                group_id = c.GroupId,
                status = WireNames.Of(c.Status),
                monitored_status = stored.TryGetValue(c.Id, out var row) ? WireNames.Of(row.MonitoredStatus) : WireNames.Of(ComponentStatus.Operational),
                override_status = row?.OverrideStatus is { } o ? WireNames.Of(o) : null,
            }),
        }, Json);
    }

    /// <summary><c>status</c>: a Statuspage component status to override the monitors, or <c>auto</c> to hand back to them.</summary>
    static async Task<IResult> OverrideAsync(HttpContext context, string id, ComponentMonitor monitor)
    {
        var parameters = await ApiParameters.ReadAsync(context.Request, OverrideParameters);
        var text = parameters.String("status", 32, required: true);
        ComponentStatus? status = text == "auto" ? null
            : WireNames.TryParse<ComponentStatus>(text, out var parsed) ? parsed
            : throw ApiException.BadRequest($"status must be one of {WireNames.All<ComponentStatus>()}, or auto");
        if (!await monitor.OverrideAsync(id, status, context.RequestAborted))
            throw ApiException.NotFound();
        return Results.Json(new { api_id = ApiResults.ApiId(context), message = "changed" }, Json, statusCode: StatusCodes.Status202Accepted);
    }
}
