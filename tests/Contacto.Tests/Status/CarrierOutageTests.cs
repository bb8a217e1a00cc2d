using Contacto.Server;
using System.Text.Json;
using Contacto.Carriers;
using Contacto.Storage;
using Contacto.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace Contacto.Tests.Status;

/// <summary>
/// The whole chain with nothing faked but PagerDuty: both simulated carriers (they serve every
/// country) fall silent, the carrier health monitor turns Portugal and Spain red, a P1 opens and
/// pages for each, and when the carriers answer again the components recover and the incidents
/// resolve, with resolve events paged.
/// </summary>
public sealed class CarrierOutageTests
{
    static readonly TimeSpan Within = TimeSpan.FromSeconds(20);

    [Theory]
    [MemberData(nameof(TestStorage.Providers), MemberType = typeof(TestStorage))]
    public async Task Carriers_going_silent_turn_the_country_red_and_open_page_and_resolve_a_P1(StorageProvider provider)
    {
        using var storage = await TestStorage.CreateAsync(provider);
        await using var pagerDuty = await FakeHttpReceiver.StartAsync(tls: true);
        await using var status = await StatusServer.StartAsync(storage,
            [.. MonitorTests.PagerDutyEscalation(pagerDuty), "--Status:Monitors:OpenIncidentAfterSeconds", "1"], realCarrierHealth: true);
        var pool = status.Server.Services.GetRequiredService<CarrierPool>();
        foreach (var route in pool.Carriers)
            await route.Connection.WaitUntilReadyAsync().WaitAsync(Within);
        Assert.Equal("operational", await UntilAsync(status, summary => StatusOf(summary, "sms-pt"), "operational"));

        var simulated = status.Server.Services.GetRequiredService<SimulatedCarriers>();
        SetSilent(simulated, true);
        Assert.Equal("major_outage", await UntilAsync(status, summary => StatusOf(summary, "sms-pt"), "major_outage"));
        Assert.Equal("2", await UntilAsync(status, summary => OpenIncidents(summary).Count().ToString(), "2"));
        var incidents = OpenIncidents(await MonitorTests.SummaryAsync(status)).ToDictionary(i => i.Str("name"), i => i.Str("id"));
        Assert.Equal(["SMS Portugal: major outage", "SMS Spain: major outage"], incidents.Keys.Order());
        foreach (var id in incidents.Values)
            Assert.Equal("P1", (await status.Staff.GetJsonAsync($"/ops/incidents/{id}")).Body.Str("priority"));
        Assert.Equal(incidents.Values.Order(), await EventsAsync(pagerDuty, "trigger", 2));

        SetSilent(simulated, false);
        Assert.Equal("operational", await UntilAsync(status, summary => StatusOf(summary, "sms-pt"), "operational"));
        Assert.Equal("0", await UntilAsync(status, summary => OpenIncidents(summary).Count().ToString(), "0"));
        Assert.Equal(incidents.Values.Order(), await EventsAsync(pagerDuty, "resolve", 2));
        var history = (await MonitorTests.GetAsync(status, "/api/v2/incidents.json")).GetProperty("incidents");
        Assert.All(incidents.Values, id => Assert.Equal("resolved", history.EnumerateArray().Single(i => i.Str("id") == id).Str("status")));
    }

    /// <summary>The dedup keys of the next <paramref name="count"/> PagerDuty events, each checked to be <paramref name="action"/>.</summary>
    static async Task<IEnumerable<string>> EventsAsync(FakeHttpReceiver pagerDuty, string action, int count)
    {
        var keys = new List<string>();
        for (var i = 0; i < count; i++)
        {
            var page = (await pagerDuty.NextAsync(Within)).Json;
            Assert.Equal(action, page.Str("event_action"));
            keys.Add(page.Str("dedup_key"));
        }
        return keys.Order();
    }

    static void SetSilent(SimulatedCarriers simulated, bool silent)
    {
        foreach (var simulator in simulated.Running)
            simulator.Options = simulator.Options with { Silent = silent };
    }

    static string StatusOf(JsonElement summary, string id) =>
        summary.GetProperty("components").EnumerateArray().Single(c => c.Str("id") == id).Str("status");

    static IEnumerable<JsonElement> OpenIncidents(JsonElement summary) => summary.GetProperty("incidents").EnumerateArray();

    /// <summary>
    /// Runs monitor rounds (as the monitor's own timer would, only sooner) until the public summary
    /// shows what is wanted, or the time runs out; returns what it saw last.
    /// </summary>
    static async Task<string?> UntilAsync(StatusServer status, Func<JsonElement, string?> read, string? wanted)
    {
        using var deadline = new CancellationTokenSource(Within);
        using var tick = new PeriodicTimer(TimeSpan.FromMilliseconds(100));
        while (true)
        {
            await status.Monitor.TickAsync(CancellationToken.None);
            var seen = read(await MonitorTests.SummaryAsync(status));
            if (seen == wanted || !await tick.WaitForNextTickAsync(deadline.Token).AsTask().ContinueWith(t => t.IsCompletedSuccessfully))
                return seen;
        }
    }
}
