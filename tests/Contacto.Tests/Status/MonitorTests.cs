using System.Text.Json;
using Contacto.Status;
using Contacto.Storage;
using Contacto.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace Contacto.Tests.Status;

/// <summary>Monitors set component statuses and open, page and resolve incidents by themselves.</summary>
public sealed class MonitorTests
{
    internal const string RoutingKey = "R0UT1NGKEY0123456789abcdefABCDEF";

    [Theory]
    [MemberData(nameof(TestStorage.Providers), MemberType = typeof(TestStorage))]
    public async Task A_country_that_stays_down_turns_red_opens_pages_and_resolves_a_P1(StorageProvider provider)
    {
        using var storage = await TestStorage.CreateAsync(provider);
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var pagerDuty = await FakeHttpReceiver.StartAsync(tls: true);
        await using var status = await StatusServer.StartAsync(storage, PagerDutyEscalation(pagerDuty), time);

        status.Source.Set(MonitorSubjects.Messaging("pt"), ComponentStatus.MajorOutage);
        await status.Monitor.TickAsync(CancellationToken.None);
        var summary = await SummaryAsync(status);
        Assert.Equal("major_outage", StatusOf(summary, "sms-pt"));
        Assert.Equal("operational", StatusOf(summary, "sms-es"));
        Assert.Empty(summary.GetProperty("incidents").EnumerateArray()); // not yet: it may be a blip

        time.Advance(TimeSpan.FromSeconds(301));
        await status.Monitor.TickAsync(CancellationToken.None);
        var incident = Assert.Single((await SummaryAsync(status)).GetProperty("incidents").EnumerateArray());
        Assert.Equal("SMS Portugal: major outage", incident.Str("name"));
        Assert.Equal("critical", incident.Str("impact"));
        var affected = incident.GetProperty("incident_updates")[0].GetProperty("affected_components")[0];
        Assert.Equal("sms-pt", affected.Str("code"));
        Assert.Equal("major_outage", affected.Str("new_status"));
        var (_, staffView) = await status.Staff.GetJsonAsync($"/ops/incidents/{incident.Str("id")}");
        Assert.Equal("P1", staffView.Str("priority"));
        Assert.True(staffView.GetProperty("opened_by_monitor").GetBoolean());

        var trigger = (await pagerDuty.NextAsync()).Json;
        Assert.Equal("trigger", trigger.Str("event_action"));
        Assert.Equal(RoutingKey, trigger.Str("routing_key"));
        Assert.Equal(incident.Str("id"), trigger.Str("dedup_key"));
        Assert.Equal("critical", trigger.GetProperty("payload").Str("severity"));
        Assert.Equal("[P1] SMS Portugal: major outage", trigger.GetProperty("payload").Str("summary"));

        await status.Monitor.TickAsync(CancellationToken.None); // still down: no second incident
        Assert.Single((await SummaryAsync(status)).GetProperty("incidents").EnumerateArray());

        status.Source.Set(MonitorSubjects.Messaging("PT"), ComponentStatus.Operational);
        await status.Monitor.TickAsync(CancellationToken.None);
        summary = await SummaryAsync(status);
        Assert.Equal("operational", StatusOf(summary, "sms-pt"));
        Assert.Empty(summary.GetProperty("incidents").EnumerateArray());
        var resolved = (await GetAsync(status, "/api/v2/incidents.json")).GetProperty("incidents")[0];
        Assert.Equal("resolved", resolved.Str("status"));
        var resolve = (await pagerDuty.NextAsync()).Json;
        Assert.Equal("resolve", resolve.Str("event_action"));
        Assert.Equal(incident.Str("id"), resolve.Str("dedup_key"));
    }

    [Fact]
    public async Task One_point_of_presence_down_is_a_P2_that_notifies_and_the_whole_group_down_is_a_P1_that_pages()
    {
        using var storage = await TestStorage.CreateAsync(StorageProvider.Sqlite);
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var pagerDuty = await FakeHttpReceiver.StartAsync(tls: true);
        await using var chat = await FakeHttpReceiver.StartAsync(tls: true);
        await using var status = await StatusServer.StartAsync(storage,
        [
            .. PagerDutyEscalation(pagerDuty),
            "--Paging:Targets:chat:Kind", "Webhook", "--Paging:Targets:chat:Url", $"{chat.BaseUrl}/hook",
            "--Paging:Targets:chat:Secret", "chat-signing-secret-0123", "--Paging:Targets:chat:Slack", "true", "--Paging:Notify:0", "chat",
        ], time);

        status.Source.Set("pop:lis", ComponentStatus.MajorOutage);
        await status.Monitor.TickAsync(CancellationToken.None);
        time.Advance(TimeSpan.FromSeconds(301));
        await status.Monitor.TickAsync(CancellationToken.None);
        Assert.StartsWith("[P2] Lisbon: major outage", (await chat.NextAsync()).Json.Str("text"));

        status.Source.Set("pop:fra", ComponentStatus.MajorOutage);
        await status.Monitor.TickAsync(CancellationToken.None);
        time.Advance(TimeSpan.FromSeconds(301));
        await status.Monitor.TickAsync(CancellationToken.None);
        // The first and only page is Frankfurt's: Lisbon's P2 never paged.
        Assert.Equal("[P1] Frankfurt: major outage", (await pagerDuty.NextAsync()).Json.GetProperty("payload").Str("summary"));
        Assert.StartsWith("[P1] Frankfurt: major outage", (await chat.NextAsync()).Json.Str("text"));
        var impacts = (await SummaryAsync(status)).GetProperty("incidents").EnumerateArray().Select(i => i.Str("impact")).Order();
        Assert.Equal(["critical", "major"], impacts);
    }

    [Fact]
    public async Task Maintenance_windows_start_and_end_on_time_and_staff_overrides_beat_monitors()
    {
        using var storage = await TestStorage.CreateAsync(StorageProvider.Sqlite);
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var status = await StatusServer.StartAsync(storage, time: time);
        var start = time.GetUtcNow().AddHours(1);
        await status.Staff.PostJsonAsync("/ops/maintenances", new
        {
            name = "Console upgrade", body = "Sign-in paused.", component_ids = "console", scheduled_for = start.ToString("o"), scheduled_until = start.AddHours(1).ToString("o"),
        });
        Assert.Single((await GetAsync(status, "/api/v2/scheduled-maintenances/upcoming.json")).GetProperty("scheduled_maintenances").EnumerateArray());

        time.Advance(TimeSpan.FromHours(1));
        await status.Monitor.TickAsync(CancellationToken.None);
        Assert.Equal("under_maintenance", StatusOf(await SummaryAsync(status), "console"));
        var active = (await GetAsync(status, "/api/v2/scheduled-maintenances/active.json")).GetProperty("scheduled_maintenances")[0];
        Assert.Equal("in_progress", active.Str("status"));
        var (code, refused) = await status.Staff.PostJsonAsync($"/ops/incidents/{active.Str("id")}/updates", new { status = "resolved", body = "Done?" });
        Assert.Equal(System.Net.HttpStatusCode.BadRequest, code);
        Assert.Contains("scheduled, in_progress, verifying, completed", refused.ErrorMessage());
        await status.Staff.PostJsonAsync($"/ops/incidents/{active.Str("id")}/updates", new { status = "verifying", body = "Checking sign-in." });
        Assert.Equal("verifying", (await GetAsync(status, "/api/v2/scheduled-maintenances/active.json")).GetProperty("scheduled_maintenances")[0].Str("status"));
        Assert.Equal("under_maintenance", StatusOf(await SummaryAsync(status), "console"));

        time.Advance(TimeSpan.FromHours(1));
        await status.Monitor.TickAsync(CancellationToken.None);
        Assert.Equal("operational", StatusOf(await SummaryAsync(status), "console"));
        Assert.Equal("completed", (await GetAsync(status, "/api/v2/scheduled-maintenances.json")).GetProperty("scheduled_maintenances")[0].Str("status"));

        status.Source.Set(MonitorSubjects.Messaging("ES"), ComponentStatus.PartialOutage);
        await status.Monitor.TickAsync(CancellationToken.None);
        Assert.Equal("partial_outage", StatusOf(await SummaryAsync(status), "sms-es"));
        await status.Staff.PostJsonAsync("/ops/components/sms-es", new { status = "operational" });
        await status.Monitor.TickAsync(CancellationToken.None);
        Assert.Equal("operational", StatusOf(await SummaryAsync(status), "sms-es"));
        var (_, components) = await status.Staff.GetJsonAsync("/ops/components");
        var row = components.GetProperty("components").EnumerateArray().Single(c => c.Str("id") == "sms-es");
        Assert.Equal("partial_outage", row.Str("monitored_status"));
        Assert.Equal("operational", row.Str("override_status"));
        await status.Staff.PostJsonAsync("/ops/components/sms-es", new { status = "auto" });
        Assert.Equal("partial_outage", StatusOf(await SummaryAsync(status), "sms-es"));
    }

    [Fact]
    public async Task The_api_monitor_judges_error_and_slow_shares_over_its_window_once_there_is_enough_traffic()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var traffic = new ApiTraffic(Options.Create(new StatusOptions()), time);
        for (var i = 0; i < 19; i++)
            traffic.Record(500, TimeSpan.FromMilliseconds(5));
        Assert.Empty(await traffic.ObserveAsync(CancellationToken.None)); // too few to judge
        traffic.Record(200, TimeSpan.FromMilliseconds(5));
        Assert.Equal(ComponentStatus.MajorOutage, Assert.Single(await traffic.ObserveAsync(CancellationToken.None)).Status);

        time.Advance(TimeSpan.FromMinutes(6));
        for (var i = 0; i < 40; i++)
            traffic.Record(i < 3 ? 503 : 200, TimeSpan.FromMilliseconds(i < 10 ? 2500 : 5));
        Assert.Equal(ComponentStatus.PartialOutage, Assert.Single(await traffic.ObserveAsync(CancellationToken.None)).Status);
        time.Advance(TimeSpan.FromMinutes(6));
        for (var i = 0; i < 40; i++)
            traffic.Record(200, TimeSpan.FromMilliseconds(i < 10 ? 2500 : 5));
        var slow = Assert.Single(await traffic.ObserveAsync(CancellationToken.None));
        Assert.Equal(new ComponentObservation(MonitorSubjects.Api, ComponentStatus.DegradedPerformance), slow);
    }

    [Fact]
    public async Task Public_api_requests_feed_the_api_monitor_and_ops_requests_do_not()
    {
        using var storage = await TestStorage.CreateAsync(StorageProvider.Sqlite);
        await using var status = await StatusServer.StartAsync(storage, ["--Status:Monitors:Api:MinimumRequests", "3"]);
        var traffic = status.Server.Services.GetRequiredService<ApiTraffic>();
        for (var i = 0; i < 3; i++)
            await status.Staff.GetAsync("/ops/incidents");
        Assert.Empty(await traffic.ObserveAsync(CancellationToken.None));
        for (var i = 0; i < 3; i++)
            Assert.Equal(System.Net.HttpStatusCode.NotFound, (await status.Public.GetAsync("/v1/no-such-resource")).StatusCode);
        Assert.Equal(ComponentStatus.Operational, Assert.Single(await traffic.ObserveAsync(CancellationToken.None)).Status);
    }

    internal static string[] PagerDutyEscalation(FakeHttpReceiver pagerDuty) =>
    [
        "--Paging:Targets:oncall:Kind", "PagerDuty", "--Paging:Targets:oncall:RoutingKey", RoutingKey,
        "--Paging:Targets:oncall:Url", $"{pagerDuty.BaseUrl}/v2/enqueue", "--Paging:Escalation:0", "oncall",
    ];

    internal static Task<JsonElement> SummaryAsync(StatusServer status) => GetAsync(status, "/api/v2/summary.json");

    internal static async Task<JsonElement> GetAsync(StatusServer status, string path)
    {
        var (_, body) = await status.Public.GetJsonAsync(path);
        return body;
    }

    static string StatusOf(JsonElement summary, string id) =>
        summary.GetProperty("components").EnumerateArray().Single(c => c.Str("id") == id).Str("status");
}
