using Contacto.Status.Incidents;
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
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Microsoft.Net.Http.Headers;
using RazorSlices;

namespace Contacto.Status;

/// <summary>
/// The public status page, the Statuspage v2 JSON API, the feeds and the event stream (public
/// plane, no sign-in), and the staff component API (ops plane, operator token).
/// </summary>
internal static class StatusEndpoints
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

    /// <summary>
    /// What a CDN (and a browser) may do with the public documents: keep them 5 seconds, then serve
    /// the stale copy for 30 more while it asks again in the background (with If-None-Match, so an
    /// unchanged document costs a 304), and keep serving it for a day while this server does not
    /// answer, when the page matters most. A change thus reaches readers behind a CDN within about
    /// 5 seconds plus one revalidation, and each edge asks at most once per 5 seconds whatever the
    /// storm. Open pages do not wait for that: the event stream (never cached) tells them at once,
    /// and the script fetches the page by the new version's address.
    /// </summary>
    public const string SharedCaching = "public, max-age=5, stale-while-revalidate=30, stale-if-error=86400";

    const string Html = "text/html; charset=utf-8";
    const string JsonType = "application/json; charset=utf-8";

    public static IEndpointRouteBuilder MapContactoStatus(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapIncidents();
        Map(endpoints, new("/status", Html, false, RenderPageAsync), headers =>
        {
            headers.ContentSecurityPolicy = PageSecurityPolicy;
            headers.XContentTypeOptions = "nosniff";
            headers["Referrer-Policy"] = "no-referrer";
        });
        endpoints.MapGet(ScriptPath, () => Asset("status.js", "text/javascript; charset=utf-8"));
        endpoints.MapGet(StylePath, () => Asset("status.css", "text/css; charset=utf-8"));
        endpoints.MapGet(IconPath, () => Asset("favicon.svg", "image/svg+xml"));
        endpoints.MapGet(StreamPath, StreamAsync);
        Map(endpoints, new("/history.atom", "application/atom+xml; charset=utf-8", true, (p, url) => Task.FromResult(StatusFeeds.Atom(p.Snapshot, url))));
        Map(endpoints, new("/history.rss", "application/rss+xml; charset=utf-8", true, (p, url) => Task.FromResult(StatusFeeds.Rss(p.Snapshot, url))));

        MapJson(endpoints, "/summary.json", (s, url) => StatuspageJson.Summary(s, url));
        MapJson(endpoints, "/status.json", (s, url) => new { page = StatuspageJson.Page(s, url), status = StatuspageJson.Status(s) });
        MapJson(endpoints, "/components.json", (s, url) => new { page = StatuspageJson.Page(s, url), components = StatuspageJson.Components(s) });
        MapJson(endpoints, "/incidents.json", (s, url) => Incidents(s, url, s.Incidents));
        MapJson(endpoints, "/incidents/unresolved.json", (s, url) => Incidents(s, url, s.UnresolvedIncidents));
        MapJson(endpoints, "/scheduled-maintenances.json", (s, url) => Maintenances(s, url, s.Maintenances));
        MapJson(endpoints, "/scheduled-maintenances/upcoming.json", (s, url) => Maintenances(s, url, s.UpcomingMaintenances));
        MapJson(endpoints, "/scheduled-maintenances/active.json", (s, url) => Maintenances(s, url, s.ActiveMaintenances));

        var staff = endpoints.MapGroup("/ops/components").OnOpsPlane().AddEndpointFilter<OperatorAuthentication>();
        staff.MapGet("/", ListComponentsAsync);
        staff.MapPost("/{id}", OverrideAsync);
        return endpoints;
    }

    /// <summary>Statuspage's API v2. Widgets on other sites read it: public data, no credentials, so any origin may.</summary>
    static void MapJson(IEndpointRouteBuilder endpoints, string path, Func<StatusSnapshot, string, object> shape) =>
        Map(endpoints, new("/api/v2" + path, JsonType, true, (p, url) => Task.FromResult(JsonSerializer.SerializeToUtf8Bytes(shape(p.Snapshot, url), Json))),
            headers => headers.AccessControlAllowOrigin = "*");

    static void Map(IEndpointRouteBuilder endpoints, StatusDocument document, Action<IHeaderDictionary>? headers = null) =>
        endpoints.MapGet(document.Path, context =>
        {
            headers?.Invoke(context.Response.Headers);
            return ServeAsync(context, document);
        });

    /// <summary>The document from the current publication, or 304 when the client (or CDN) holds these bytes already.</summary>
    static async Task ServeAsync(HttpContext context, StatusDocument document)
    {
        var services = context.RequestServices;
        var publication = await services.GetRequiredService<StatusPublisher>().CurrentAsync(context.RequestAborted);
        var representation = await publication.RepresentationAsync(document, BaseUrl(context, services.GetRequiredService<IOptions<StatusOptions>>().Value));
        var body = Preferred(context.Request, representation);
        var response = context.Response;
        response.Headers.ETag = body.ETag;
        response.Headers.CacheControl = SharedCaching;
        response.Headers.Vary = "Accept-Encoding";
        if (Holds(context.Request, body.ETag))
        {
            response.StatusCode = StatusCodes.Status304NotModified;
            return;
        }
        response.ContentType = representation.ContentType;
        if (body.Coding is { } coding)
            response.Headers.ContentEncoding = coding;
        response.ContentLength = body.Bytes.Length;
        await response.Body.WriteAsync(body.Bytes, context.RequestAborted);
    }

    /// <summary>Brotli, else gzip, when the client accepts it (a quality of 0 refuses), else the bytes as they are.</summary>
    static EncodedBody Preferred(HttpRequest request, StatusRepresentation representation)
    {
        if (request.Headers.AcceptEncoding.Count == 0 || !StringWithQualityHeaderValue.TryParseList(request.Headers.AcceptEncoding, out var accepted))
            return representation.Identity;
        bool Accepts(string coding) => accepted.Any(a => a.Quality != 0 && (a.Value.Equals(coding, StringComparison.OrdinalIgnoreCase) || a.Value == "*"));
        return representation.Brotli is { } brotli && Accepts("br") ? brotli
            : representation.Gzip is { } gzip && Accepts("gzip") ? gzip
            : representation.Identity;
    }

    /// <summary>If-None-Match names this ETag (weak comparison, as RFC 9110 asks) or is <c>*</c>.</summary>
    static bool Holds(HttpRequest request, string etag)
    {
        if (request.Headers.IfNoneMatch.Count == 0 || !EntityTagHeaderValue.TryParseList(request.Headers.IfNoneMatch, out var tags))
            return false;
        var ours = EntityTagHeaderValue.Parse(etag);
        return tags.Any(tag => tag.Equals(EntityTagHeaderValue.Any) || tag.Compare(ours, useStrongComparison: false));
    }

    static async Task<byte[]> RenderPageAsync(StatusPublication publication, string _)
    {
        using var body = new MemoryStream();
        await Views.StatusPage.Create(new StatusPageModel(publication.Snapshot, publication.Uptime)).RenderAsync(body);
        return body.ToArray();
    }

    static object Incidents(StatusSnapshot s, string url, IEnumerable<Incidents.Incident> incidents) =>
        new { page = StatuspageJson.Page(s, url), incidents = incidents.Select(i => StatuspageJson.Incident(s, i, url)) };

    static object Maintenances(StatusSnapshot s, string url, IEnumerable<Incidents.Incident> maintenances) =>
        new { page = StatuspageJson.Page(s, url), scheduled_maintenances = maintenances.Select(i => StatuspageJson.Incident(s, i, url)) };

    /// <summary>The current summary at once, then each change, from the broadcaster: no stream reads the database.</summary>
    static async Task StreamAsync(HttpContext context)
    {
        var services = context.RequestServices;
        await services.GetRequiredService<StatusPublisher>().CurrentAsync(context.RequestAborted);
        context.Response.ContentType = "text/event-stream";
        context.Response.Headers.CacheControl = "no-store";
        // Streams never end by themselves: close them when the node stops so shutdown need not wait out the drain
        // time. Browsers reconnect, to another node behind the load balancer.
        using var until = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted,
            services.GetRequiredService<IHostApplicationLifetime>().ApplicationStopping);
        await services.GetRequiredService<StatusBroadcaster>().StreamAsync(context.Response, until.Token);
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
