using System.Text.RegularExpressions;
using Contacto.Api;
using Contacto.Operations;
using Contacto.Testing;
using Contacto.Tests.Messaging;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace Contacto.Tests.Api;

/// <summary>One mapped route and method, and the listener that serves it.</summary>
internal sealed record MappedEndpoint(string Method, string Pattern, Plane Plane)
{
    public string Key => $"{Method} {Pattern}";
    public bool IsAccountApi => Pattern.StartsWith(AccountApi.Root, StringComparison.Ordinal);
}

/// <summary>A tenant with one of each resource the account API's routes name, and what of it must never reach another tenant.</summary>
internal sealed record SeededTenant(Guid AccountId, string AuthId, string Token, Dictionary<string, string> ResourceIds, string[] Secrets);

/// <summary>
/// Every endpoint the application maps, read from its routing, and what it takes to call each
/// validly. Tests that must cover every endpoint (the isolation matrix, the fuzzer) walk this, so
/// a new endpoint the surface does not know fails them: teach it here.
/// </summary>
internal static partial class ApiSurface
{
    /// <summary>A valid body for each endpoint that takes one, so a refusal cannot be a mere 400 and a mutation starts from something accepted.</summary>
    public static readonly Dictionary<string, object> Bodies = new()
    {
        ["POST /v1/Account/{auth_id}/"] = new { name = "Renamed by B" },
        ["POST /v1/Account/{auth_id}/AuthToken/"] = new { grace_period = 86400 },
        ["POST /v1/Account/{auth_id}/Subaccount/"] = new { name = "B's sub" },
        ["POST /v1/Account/{auth_id}/Subaccount/{subauth_id}/"] = new { name = "Hijacked" },
        ["DELETE /v1/Account/{auth_id}/Subaccount/{subauth_id}/"] = new { cascade = "true" },
        ["POST /v1/Account/{auth_id}/Application/"] = new { app_name = "Bs_app" },
        ["POST /v1/Account/{auth_id}/Application/{app_id}/"] = new { app_name = "Hijacked" },
        ["DELETE /v1/Account/{auth_id}/Application/{app_id}/"] = new { cascade = "true" },
        ["POST /v1/Account/{auth_id}/Message/"] = new { src = MessagingHarness.Sender, dst = MessagingHarness.Destination(9), text = "from B" },
        ["POST /v1/Account/{auth_id}/Call/"] = new { from = MessagingHarness.Sender, to = MessagingHarness.Destination(9), answer_url = "https://cb.example.com/answer/" },
        ["DELETE /v1/Account/{auth_id}/Call/{call_uuid}/"] = "",
        ["POST /v1/Account/{auth_id}/Call/{call_uuid}/"] = new { legs = "aleg", aleg_url = "https://cb.example.com/transfer/" },
        ["POST /v1/Account/{auth_id}/Call/{call_uuid}/Play/"] = new { urls = "https://cb.example.com/a.wav" },
        ["DELETE /v1/Account/{auth_id}/Call/{call_uuid}/Play/"] = "",
        ["POST /v1/Account/{auth_id}/Call/{call_uuid}/Speak/"] = new { text = "Hello" },
        ["DELETE /v1/Account/{auth_id}/Call/{call_uuid}/Speak/"] = "",
        ["POST /v1/Account/{auth_id}/Call/{call_uuid}/DTMF/"] = new { digits = "12" },
        ["POST /v1/Account/{auth_id}/Call/{call_uuid}/Record/"] = new { time_limit = 10 },
        ["DELETE /v1/Account/{auth_id}/Call/{call_uuid}/Record/"] = "",
        ["DELETE /v1/Account/{auth_id}/Request/{request_uuid}/"] = "",
        ["DELETE /v1/Account/{auth_id}/Recording/{recording_id}/"] = "",
        ["POST /v1/Account/{auth_id}/Number/{number}/"] = new { alias = "Hijacked" },
        ["POST /v1/Account/{auth_id}/WebhookSettings/"] = new { max_connections_per_host = 3 },
        ["DELETE /v1/Account/{auth_id}/Number/{number}/"] = "",
        ["POST /ops/incidents"] = new { name = "Degraded sending", body = "Looking into it", impact = "minor" },
        ["POST /ops/incidents/{id:guid}/updates"] = new { status = "identified", body = "Found it" },
        ["POST /ops/incidents/{id:guid}/postmortem"] = new { body = "What happened" },
        ["POST /ops/incidents/{id:guid}/acknowledge"] = "",
        ["POST /ops/maintenances"] = new { name = "Upgrade", body = "Planned", scheduled_for = "2030-01-01 00:00", scheduled_until = "2030-01-01 01:00" },
        ["POST /ops/components/{id}"] = new { status = "auto" },
    };

    /// <summary>Query parameters the API's list endpoints take, for requests that should reach past the parameter check.</summary>
    public static readonly string[] QueryParameters =
        ["limit", "offset", "subaccount", "message_direction", "message_state", "message_time", "message_time__gt", "message_time__lte",
            "renewal_date__gte", "type", "number_startswith", "alias", "services", "app_name", "method", "status", "time__gt",
            "record_id", "tree_size", "first", "second", "return_url", "code", "state", "error"];

    /// <summary>A valid body's parameter names, and the other names endpoints take.</summary>
    public static IEnumerable<string> BodyParameters =>
        Bodies.Values.SelectMany(b => b.GetType().GetProperties().Select(p => p.Name))
            .Concat(["enabled", "cascade", "url", "log", "media_urls", "app_id", "answer_url", "message_url", "priority", "component_ids", "password", "email", "token", "__csrf"])
            .Distinct();

    /// <summary>Every route and method the application maps, on its plane.</summary>
    public static List<MappedEndpoint> Endpoints(RunningServer server) =>
        [.. server.Services.GetRequiredService<EndpointDataSource>().Endpoints
            .OfType<RouteEndpoint>()
            .Where(e => e.RoutePattern.RawText is not null)
            .SelectMany(e => (e.Metadata.GetMetadata<Microsoft.AspNetCore.Routing.HttpMethodMetadata>()?.HttpMethods ?? ["GET"])
                .Select(m => new MappedEndpoint(m, e.RoutePattern.RawText!, e.Metadata.GetMetadata<PlaneMetadata>()?.Plane ?? Plane.Public)))
            .OrderBy(e => e.Pattern, StringComparer.Ordinal).ThenBy(e => e.Method, StringComparer.Ordinal)];

    /// <summary>The names of a route pattern's parameters, without their constraints.</summary>
    public static List<string> Parameters(string pattern) => [.. RouteParameter().Matches(pattern).Select(m => m.Groups[1].Value)];

    /// <summary>The pattern with each parameter replaced by <paramref name="value"/>'s answer for its name.</summary>
    public static string Fill(string pattern, Func<string, string> value) =>
        RouteParameter().Replace(pattern, m => value(m.Groups[1].Value));

    public static string Fill(string pattern, string authId, IReadOnlyDictionary<string, string> resources) =>
        Fill(pattern, name => name == "auth_id" ? authId : resources[name]);

    /// <summary>A callback URL on the tenant's message, so that its callbacks exist (and the URL's secret must stay the tenant's).</summary>
    const string CallbackUrl = "https://cb.example.com/status/?key=a-callback-secret";

    /// <summary>Creates a tenant with a subaccount, an application, a rented number and a sent message.</summary>
    public static async Task<SeededTenant> SeedTenantAsync(RunningServer server, string name = "Tenant A", string prefix = "A")
    {
        var (account, token) = await server.CreateAccountAsync(name);
        using var client = server.ApiClient(account.AuthId, token);
        var (_, sub) = await client.PostJsonAsync($"/v1/Account/{account.AuthId}/Subaccount/", new { name = $"{prefix}'s sub", enabled = true });
        var (_, app) = await client.PostJsonAsync($"/v1/Account/{account.AuthId}/Application/", new { app_name = $"{prefix}_app" });
        await MessagingHarness.AddNumberAsync(server, account.Id, MessagingHarness.Sender);
        var (_, sent) = await client.PostJsonAsync($"/v1/Account/{account.AuthId}/Message/",
            new { src = MessagingHarness.Sender, dst = MessagingHarness.Destination(8), text = $"{prefix}'s message", url = CallbackUrl });
        var (_, call) = await client.PostJsonAsync($"/v1/Account/{account.AuthId}/Call/",
            new { from = MessagingHarness.Sender, to = MessagingHarness.Destination(7), answer_url = CallAnswerUrl });
        var requestId = call.Str("request_uuid");
        var callId = await CallIdAsync(server, Guid.Parse(requestId));
        var number = MessagingHarness.Sender.TrimStart('+');
        return new SeededTenant(account.Id, account.AuthId, token,
            new Dictionary<string, string>
            {
                ["subauth_id"] = sub.Str("auth_id"),
                ["message_uuid"] = sent.GetProperty("message_uuid")[0].GetString()!,
                ["number"] = number,
                ["app_id"] = app.Str("app_id"),
                ["request_uuid"] = requestId,
                ["call_uuid"] = callId.ToString(),
                ["recording_id"] = (await RecordingAsync(server, account.Id, callId)).ToString(),
            },
            [account.AuthId, token, sub.Str("auth_id"), sub.Str("auth_token"), name, $"{prefix}'s sub", sent.GetProperty("message_uuid")[0].GetString()!,
                number, MessagingHarness.Destination(8).TrimStart('+'), $"{prefix}_app", app.Str("app_id"), "a-callback-secret",
                requestId, MessagingHarness.Destination(7).TrimStart('+'), "a-call-secret"]);
    }

    /// <summary>An answer URL for the tenant's call; its secret must stay the tenant's.</summary>
    const string CallAnswerUrl = "https://cb.example.com/answer/?key=a-call-secret";

    /// <summary>Lists a recording of the call (its audio is not needed for the routes' checks).</summary>
    public static async Task<Guid> RecordingAsync(RunningServer server, Guid accountId, Guid callId)
    {
        var id = Guid.CreateVersion7();
        var summary = new Contacto.Media.Recording.RecordingSummary(new(8000, 1), 8000, 0, Contacto.Media.Recording.RecordingEndReason.Stopped, null);
        await server.Services.GetRequiredService<Contacto.Recordings.RecordingCatalog>()
            .AddAsync(accountId, id, callId, MessagingHarness.Sender, MessagingHarness.Destination(7), summary, DateTimeOffset.UtcNow, DateTimeOffset.UtcNow, CancellationToken.None);
        return id;
    }

    /// <summary>The call a request placed (the API answers with the request's id only).</summary>
    public static async Task<Guid> CallIdAsync(RunningServer server, Guid requestId)
    {
        await using var db = await server.Services.GetRequiredService<Microsoft.EntityFrameworkCore.IDbContextFactory<Contacto.Storage.ContactoDbContext>>().CreateDbContextAsync();
        return await Microsoft.EntityFrameworkCore.EntityFrameworkQueryableExtensions.SingleAsync(
            Microsoft.EntityFrameworkCore.EntityFrameworkQueryableExtensions.IgnoreQueryFilters(db.Set<Contacto.Voice.Call>()).Where(c => c.RequestId == requestId).Select(c => c.Id));
    }

    [GeneratedRegex(@"\{([a-z_]+)(?::[^}]*)?\}")]
    private static partial Regex RouteParameter();
}
