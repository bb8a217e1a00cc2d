using System.Net;
using System.Text.Json;
using Contacto.Cli;
using Contacto.Storage;
using Contacto.Testing;

namespace Contacto.Tests.Status;

/// <summary>The Statuspage v2 JSON API and the staff API that feeds it, on both storage providers.</summary>
public sealed class StatuspageApiTests
{
    [Theory]
    [MemberData(nameof(TestStorage.Providers), MemberType = typeof(TestStorage))]
    public async Task Every_endpoint_speaks_the_Statuspage_schema(StorageProvider provider)
    {
        using var storage = await TestStorage.CreateAsync(provider);
        await using var status = await StatusServer.StartAsync(storage);

        var (code, created) = await status.Staff.PostJsonAsync("/ops/incidents", new
        {
            name = "Slow SMS to Portugal", body = "Delivery receipts are delayed.", impact = "minor", priority = "P3", component_ids = "sms-pt,api",
        });
        Assert.Equal(HttpStatusCode.Created, code);
        Assert.Equal("P3", created.Str("priority"));
        var incidentId = created.Str("id");
        (code, _) = await status.Staff.PostJsonAsync("/ops/maintenances", new
        {
            name = "Database upgrade", body = "A short read-only period.", component_ids = "console",
            scheduled_for = DateTimeOffset.UtcNow.AddDays(2).ToString("o"), scheduled_until = DateTimeOffset.UtcNow.AddDays(2).AddHours(1).ToString("o"),
        });
        Assert.Equal(HttpStatusCode.Created, code);
        (code, var other) = await status.Staff.PostJsonAsync("/ops/incidents", new { name = "Console login errors", body = "Fixed.", status = "identified" });
        Assert.Equal(HttpStatusCode.Created, code);
        (code, _) = await status.Staff.PostJsonAsync($"/ops/incidents/{other.Str("id")}/updates", new { status = "resolved", body = "All good." });
        Assert.Equal(HttpStatusCode.OK, code);

        var summary = await GetAsync(status, "/api/v2/summary.json");
        StatuspageSchema.Page(summary.GetProperty("page"));
        StatuspageSchema.Status(summary.GetProperty("status"));
        Assert.Equal("minor", summary.GetProperty("status").Str("indicator"));
        var components = summary.GetProperty("components").EnumerateArray().ToList();
        Assert.All(components, StatuspageSchema.Component);
        Assert.Equal(["platform", "api", "console", "messaging", "sms-pt", "sms-es", "pops", "pop-lis", "pop-fra"], components.Select(c => c.Str("id")));
        var messaging = components.Single(c => c.Str("id") == "messaging");
        Assert.Equal(["sms-pt", "sms-es"], messaging.GetProperty("components").EnumerateArray().Select(c => c.GetString()));
        Assert.Equal("messaging", components.Single(c => c.Str("id") == "sms-pt").Str("group_id"));
        var unresolved = Assert.Single(summary.GetProperty("incidents").EnumerateArray());
        StatuspageSchema.Incident(unresolved, maintenance: false);
        Assert.Equal(incidentId, unresolved.Str("id"));
        Assert.Equal(["sms-pt", "api"], unresolved.GetProperty("components").EnumerateArray().Select(c => c.Str("id")));
        Assert.False(unresolved.TryGetProperty("priority", out _)); // staff-only
        StatuspageSchema.Incident(Assert.Single(summary.GetProperty("scheduled_maintenances").EnumerateArray()), maintenance: true);

        var statusJson = await GetAsync(status, "/api/v2/status.json");
        StatuspageSchema.Page(statusJson.GetProperty("page"));
        StatuspageSchema.Status(statusJson.GetProperty("status"));
        Assert.Equal("Minor Service Outage", statusJson.GetProperty("status").Str("description"));
        Assert.Equal(9, (await GetAsync(status, "/api/v2/components.json")).GetProperty("components").GetArrayLength());

        var all = (await GetAsync(status, "/api/v2/incidents.json")).GetProperty("incidents").EnumerateArray().ToList();
        Assert.Equal(2, all.Count);
        Assert.All(all, i => StatuspageSchema.Incident(i, maintenance: false));
        Assert.Contains(all, i => i.Str("status") == "resolved" && i.GetProperty("resolved_at").ValueKind == JsonValueKind.String);
        Assert.Single((await GetAsync(status, "/api/v2/incidents/unresolved.json")).GetProperty("incidents").EnumerateArray());
        var maintenances = (await GetAsync(status, "/api/v2/scheduled-maintenances.json")).GetProperty("scheduled_maintenances");
        StatuspageSchema.Incident(Assert.Single(maintenances.EnumerateArray()), maintenance: true);
        Assert.Single((await GetAsync(status, "/api/v2/scheduled-maintenances/upcoming.json")).GetProperty("scheduled_maintenances").EnumerateArray());
        Assert.Empty((await GetAsync(status, "/api/v2/scheduled-maintenances/active.json")).GetProperty("scheduled_maintenances").EnumerateArray());
    }

    [Theory]
    [MemberData(nameof(TestStorage.Providers), MemberType = typeof(TestStorage))]
    public async Task Incident_lifecycle_with_updates_and_postmortem(StorageProvider provider)
    {
        using var storage = await TestStorage.CreateAsync(provider);
        await using var status = await StatusServer.StartAsync(storage);
        var (_, created) = await status.Staff.PostJsonAsync("/ops/incidents", new { name = "API errors", body = "Looking into it.", impact = "major", priority = "2", component_ids = "api" });
        var id = created.Str("id");

        var (code, body) = await status.Staff.PostJsonAsync($"/ops/incidents/{id}/postmortem", new { body = "Too early." });
        Assert.Equal(HttpStatusCode.Conflict, code);
        Assert.Contains("resolved", body.ErrorMessage());
        foreach (var (next, text) in new[] { ("identified", "Found a bad deploy."), ("monitoring", "Rolled back."), ("resolved", "Error rate normal.") })
            Assert.Equal(HttpStatusCode.OK, (await status.Staff.PostJsonAsync($"/ops/incidents/{id}/updates", new { status = next, body = text })).Status);
        (code, body) = await status.Staff.PostJsonAsync($"/ops/incidents/{id}/updates", new { status = "investigating", body = "Again?" });
        Assert.Equal(HttpStatusCode.Conflict, code);
        (code, body) = await status.Staff.PostJsonAsync($"/ops/incidents/{id}/postmortem", new { body = "A config change skipped review." });
        Assert.Equal(HttpStatusCode.OK, code);

        var incident = (await GetAsync(status, "/api/v2/incidents.json")).GetProperty("incidents").EnumerateArray().Single();
        StatuspageSchema.Incident(incident, maintenance: false);
        Assert.Equal("postmortem", incident.Str("status"));
        Assert.Equal("major", incident.Str("impact"));
        Assert.Equal(["resolved", "monitoring", "identified", "investigating"], incident.GetProperty("incident_updates").EnumerateArray().Select(u => u.Str("status")));
        Assert.NotEqual(JsonValueKind.Null, incident.GetProperty("monitoring_at").ValueKind);
        (_, body) = await status.Staff.GetJsonAsync($"/ops/incidents/{id}");
        Assert.Equal("A config change skipped review.", body.Str("postmortem_body"));
        Assert.Equal("P2", body.Str("priority"));
    }

    [Fact]
    public async Task The_staff_api_needs_a_live_operator_token_refuses_bad_input_and_exists_only_on_the_ops_plane()
    {
        using var storage = await TestStorage.CreateAsync(StorageProvider.Sqlite);
        await using var status = await StatusServer.StartAsync(storage);

        var created = JsonDocument.Parse(await CliAsync(storage, "ops", "token", "create", "--name", "on-call", "--json")).RootElement;
        var token = created.Str("token");
        using var ops = CaTrust.Client(status.Server.CaPath, status.Server.OpsPort, "127.0.0.1");
        Assert.Equal(HttpStatusCode.Unauthorized, (await ops.GetJsonAsync("/ops/incidents")).Status);
        ops.DefaultRequestHeaders.Authorization = new("Bearer", token);
        Assert.Equal(HttpStatusCode.OK, (await ops.GetJsonAsync("/ops/incidents")).Status);
        var list = await CliAsync(storage, "ops", "token", "list");
        Assert.Contains("on-call", list);
        Assert.DoesNotContain(token, list);
        await CliAsync(storage, "ops", "token", "revoke", created.Str("id"));
        var (code, body) = await ops.GetJsonAsync("/ops/incidents");
        Assert.Equal(HttpStatusCode.Unauthorized, code);
        Assert.Contains("operator token", body.ErrorMessage());
        ops.DefaultRequestHeaders.Authorization = new("Bearer", token[..^1] + (token[^1] == 'a' ? 'b' : 'a'));
        Assert.Equal(HttpStatusCode.Unauthorized, (await ops.GetJsonAsync("/ops/incidents")).Status);

        (code, body) = await status.Staff.PostJsonAsync("/ops/incidents", new { name = "x", body = "y", impact = "catastrophic" });
        Assert.Equal(HttpStatusCode.BadRequest, code);
        Assert.Contains("impact must be one of none, minor, major, critical", body.ErrorMessage());
        (code, body) = await status.Staff.PostJsonAsync("/ops/incidents", new { name = "x", body = "y", component_ids = "api,nope" });
        Assert.Contains("nope", body.ErrorMessage());
        (code, body) = await status.Staff.PostJsonAsync("/ops/incidents", new { name = "x", body = "y", priority = "P9" });
        Assert.Contains("priority", body.ErrorMessage());
        (code, body) = await status.Staff.PostJsonAsync("/ops/incidents", new { body = "y" });
        Assert.Equal("name is required", body.ErrorMessage());
        (code, body) = await status.Staff.PostJsonAsync("/ops/components/api", new { status = "on_fire" });
        Assert.Equal(HttpStatusCode.BadRequest, code);
        Assert.Contains("major_outage", body.ErrorMessage());
        Assert.Equal(HttpStatusCode.NotFound, (await status.Staff.PostJsonAsync("/ops/components/nope", new { status = "major_outage" })).Status);
        (code, body) = await status.Staff.PostJsonAsync("/ops/maintenances", new { name = "m", body = "b", scheduled_for = "2030-01-02T00:00:00Z", scheduled_until = "2030-01-01T00:00:00Z" });
        Assert.Contains("scheduled_until", body.ErrorMessage());

        Assert.Equal(HttpStatusCode.NotFound, (await status.Public.GetAsync("/ops/incidents")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await status.Staff.GetAsync("/api/v2/summary.json")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await status.Staff.GetAsync("/status")).StatusCode);
    }

    [Fact]
    public async Task Bad_component_configuration_stops_the_start_naming_the_key()
    {
        using var storage = await TestStorage.CreateAsync(StorageProvider.Sqlite);
        var failure = await Assert.ThrowsAnyAsync<Exception>(() => RunningServer.StartAsync(storage,
        [
            "--Status:Groups:0:Id", "core", "--Status:Groups:0:Name", "Core",
            "--Status:Groups:0:Components:0:Id", "Bad Id", "--Status:Groups:0:Components:0:Name", "API",
            "--Status:Groups:0:Components:1:Id", "core", "--Status:Groups:0:Components:1:Name", "Console", "--Status:Groups:0:Components:1:OutagePriority", "7",
            "--Status:UptimeTarget", "100",
        ]));
        var message = Contacto.Platform.StartupFailure.Describe(failure);
        Assert.NotNull(message);
        Assert.Contains("Status:Groups:0:Components:0:Id: must be 1 to 64 lower-case letters, digits or dashes", message);
        Assert.Contains("Status:Groups:0:Components:1:Id: 'core' is used twice", message);
        Assert.Contains("Status:Groups:0:Components:1:OutagePriority: must be 1 to 4 (got 7)", message);
        Assert.Contains("Status:UptimeTarget: must be a percentage between 0 and 100", message);
    }

    static async Task<JsonElement> GetAsync(StatusServer status, string path)
    {
        using var response = await status.Public.GetAsync(path);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal("*", response.Headers.GetValues("Access-Control-Allow-Origin").Single());
        return JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.Clone();
    }

    static async Task<string> CliAsync(TestStorage storage, params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        Assert.True(await ContactoCli.InvokeAsync([.. storage.Arguments, .. args], output, error) == 0, error.ToString());
        return output.ToString();
    }
}
