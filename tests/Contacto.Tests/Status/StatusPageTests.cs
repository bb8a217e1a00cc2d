using System.Net;
using System.Net.ServerSentEvents;
using System.ServiceModel.Syndication;
using System.Text.Json;
using System.Xml;
using Contacto.Status;
using Contacto.Storage;
using Contacto.Testing;

namespace Contacto.Tests.Status;

/// <summary>The HTML page, the feeds and the event stream, over HTTP.</summary>
public sealed class StatusPageTests
{
    [Fact]
    public async Task The_page_escapes_what_staff_write_and_forbids_inline_code()
    {
        using var storage = await TestStorage.CreateAsync(StorageProvider.Sqlite);
        await using var status = await StatusServer.StartAsync(storage);
        const string hostile = "<script>alert(1)</script> & \"quotes\"";
        await status.Staff.PostJsonAsync("/ops/incidents", new { name = hostile, body = "<img src=x onerror=alert(2)>", component_ids = "sms-pt" });
        await status.Staff.PostJsonAsync("/ops/components/pop-fra", new { status = "partial_outage" });

        using var response = await status.Public.GetAsync("/status");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/html", response.Content.Headers.ContentType?.MediaType);
        var csp = response.Headers.GetValues("Content-Security-Policy").Single();
        Assert.Contains("script-src 'self'", csp);
        Assert.Contains("default-src 'none'", csp);
        Assert.DoesNotContain("unsafe-inline", csp);
        var html = await response.Content.ReadAsStringAsync();
        Assert.DoesNotContain("<script>alert", html);
        Assert.DoesNotContain("<img src=x", html);
        Assert.Contains("&lt;script&gt;alert(1)&lt;/script&gt; &amp; &quot;quotes&quot;", html);
        Assert.DoesNotContain("<script>", html); // only the external script tag, which has attributes
        Assert.DoesNotContain(" style=", html);
        Assert.Contains("""<span class="status status-partial_outage">Partial outage</span>""", html);
        Assert.Contains("Partial System Outage", html);
        Assert.Contains("100.00% uptime over the last 90 days", html);
        Assert.Contains("(target 99.95%)", html);
        Assert.Equal(9 - 3, CountOf(html, """<ol class="bars" aria-hidden="true">"""));
        Assert.Equal(6 * Uptime.Days, CountOf(html, """<li class="bar """));

        using var script = await status.Public.GetAsync(StatusEndpoints.ScriptPath);
        Assert.Equal("text/javascript", script.Content.Headers.ContentType?.MediaType);
        Assert.Contains("EventSource", await script.Content.ReadAsStringAsync());
        using var style = await status.Public.GetAsync(StatusEndpoints.StylePath);
        Assert.Equal("text/css", style.Content.Headers.ContentType?.MediaType);
    }

    [Theory]
    [MemberData(nameof(TestStorage.Providers), MemberType = typeof(TestStorage))]
    public async Task Atom_and_RSS_carry_the_incident_history(StorageProvider provider)
    {
        using var storage = await TestStorage.CreateAsync(provider);
        await using var status = await StatusServer.StartAsync(storage, ["--Status:PublicUrl", "https://status.example.test"]);
        var (_, incident) = await status.Staff.PostJsonAsync("/ops/incidents", new { name = "Voice & SMS <delays>", body = "Queues are long." });
        await status.Staff.PostJsonAsync($"/ops/incidents/{incident.Str("id")}/updates", new { status = "resolved", body = "Queues drained." });

        foreach (var (path, mediaType) in new[] { ("/history.atom", "application/atom+xml"), ("/history.rss", "application/rss+xml") })
        {
            using var response = await status.Public.GetAsync(path);
            Assert.Equal(mediaType, response.Content.Headers.ContentType?.MediaType);
            using var reader = XmlReader.Create(await response.Content.ReadAsStreamAsync());
            var feed = SyndicationFeed.Load(reader);
            var item = Assert.Single(feed.Items);
            Assert.Equal("Voice & SMS <delays>", item.Title.Text);
            Assert.Equal($"https://status.example.test/status#incident-{incident.Str("id")}", item.Links.Single().Uri.ToString());
            var content = item.Summary.Text;
            Assert.StartsWith("Resolved, impact minor", content);
            Assert.Contains("Resolved: Queues drained.", content);
            Assert.Contains("Investigating: Queues are long.", content);
        }
    }

    [Fact]
    public async Task The_event_stream_sends_the_summary_then_each_change()
    {
        using var storage = await TestStorage.CreateAsync(StorageProvider.Sqlite);
        await using var status = await StatusServer.StartAsync(storage);
        using var request = new HttpRequestMessage(HttpMethod.Get, StatusEndpoints.StreamPath);
        using var response = await status.Public.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        Assert.Equal("text/event-stream", response.Content.Headers.ContentType?.MediaType);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        await using var stream = await response.Content.ReadAsStreamAsync(timeout.Token);
        await using var events = SseParser.Create(stream).EnumerateAsync(timeout.Token).GetAsyncEnumerator(timeout.Token);

        Assert.True(await events.MoveNextAsync());
        Assert.Equal(StatusBroadcaster.EventType, events.Current.EventType);
        Assert.Equal("operational", Component(events.Current.Data, "sms-pt"));

        await status.Staff.PostJsonAsync("/ops/components/sms-pt", new { status = "major_outage" });
        Assert.True(await events.MoveNextAsync());
        Assert.Equal("major_outage", Component(events.Current.Data, "sms-pt"));
        Assert.Equal("critical", JsonDocument.Parse(events.Current.Data).RootElement.GetProperty("status").Str("indicator"));

        // A stopping node ends its streams instead of holding shutdown for the whole drain time.
        var stopping = status.Server.App.StopAsync();
        Assert.False(await events.MoveNextAsync());
        await stopping.WaitAsync(TimeSpan.FromSeconds(10));
    }

    static string Component(string summary, string id) =>
        JsonDocument.Parse(summary).RootElement.GetProperty("components").EnumerateArray().Single(c => c.Str("id") == id).Str("status");

    static int CountOf(string text, string part) => (text.Length - text.Replace(part, "").Length) / part.Length;
}
