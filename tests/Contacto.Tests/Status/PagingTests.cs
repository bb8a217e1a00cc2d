using System.Text;
using Contacto.Status.Incidents.Paging;
using Contacto.Platform;
using Contacto.Storage;
using Contacto.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace Contacto.Tests.Status;

/// <summary>Paging through the outbox: PagerDuty, signed webhooks and e-mail, against local fakes.</summary>
public sealed class PagingTests
{
    const string WebhookSecret = "webhook-signing-secret-0123456789";

    [Theory]
    [MemberData(nameof(TestStorage.Providers), MemberType = typeof(TestStorage))]
    public async Task A_page_that_failed_is_sent_after_a_restart(StorageProvider provider)
    {
        using var storage = await TestStorage.CreateAsync(provider);
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var pagerDuty = await FakeHttpReceiver.StartAsync(tls: true);
        pagerDuty.FailNext(503);
        string incidentId;
        await using (var first = await StatusServer.StartAsync(storage, MonitorTests.PagerDutyEscalation(pagerDuty), time))
        {
            using var outcomes = new PageOutcomes(first.Server.Services);
            var (_, incident) = await first.Staff.PostJsonAsync("/ops/incidents", new { name = "Carrier bind storm", body = "All binds drop.", priority = "P1", impact = "critical" });
            incidentId = incident.Str("id");
            Assert.Equal(incidentId, (await pagerDuty.NextAsync()).Json.Str("dedup_key"));
            Assert.Equal("retry", await outcomes.NextAsync());
        }

        await using var second = await StatusServer.StartAsync(storage, MonitorTests.PagerDutyEscalation(pagerDuty), time);
        using (var outcomes = new PageOutcomes(second.Server.Services))
        {
            time.Advance(TimeSpan.FromMinutes(1)); // past the first backoff
            second.Pager.Wake();
            var retried = (await pagerDuty.NextAsync()).Json;
            Assert.Equal("trigger", retried.Str("event_action"));
            Assert.Equal(incidentId, retried.Str("dedup_key"));
            Assert.Equal("sent", await outcomes.NextAsync());
        }

        await using var db = second.Server.Services.GetRequiredService<IDbContextFactory<ContactoDbContext>>().CreateDbContext();
        var message = await db.Set<PageMessage>().SingleAsync();
        Assert.NotNull(message.SentAt);
        Assert.Equal(2, message.Attempts);
        Assert.Equal("HTTP 503", message.LastError);
    }

    [Fact]
    public async Task A_paging_target_on_an_address_the_outbound_policy_refuses_is_never_contacted()
    {
        using var storage = await TestStorage.CreateAsync(StorageProvider.Sqlite);
        await using var pagerDuty = await FakeHttpReceiver.StartAsync(tls: true);
        // Replaces the harness's loopback allowance with an unrelated network: loopback is refused as in production.
        await using var status = await StatusServer.StartAsync(storage,
            [.. MonitorTests.PagerDutyEscalation(pagerDuty), "--Webhooks:AllowedNetworks:0", "192.0.2.0/24"]);
        using var outcomes = new PageOutcomes(status.Server.Services);

        await status.Staff.PostJsonAsync("/ops/incidents", new { name = "Carrier bind storm", body = "All binds drop.", priority = "P1", impact = "critical" });

        Assert.Equal("failed", await outcomes.NextAsync());
        Assert.True(pagerDuty.IsEmpty, "the page reached a loopback address");
        await using var db = status.Server.Services.GetRequiredService<IDbContextFactory<ContactoDbContext>>().CreateDbContext();
        Assert.StartsWith("refused: ", (await db.Set<PageMessage>().SingleAsync()).LastError);
    }

    [Fact]
    public async Task An_unacknowledged_P1_escalates_to_the_next_target_and_acknowledging_stops_it()
    {
        using var storage = await TestStorage.CreateAsync(StorageProvider.Sqlite);
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var pagerDuty = await FakeHttpReceiver.StartAsync(tls: true);
        await using var webhook = await FakeHttpReceiver.StartAsync(tls: true);
        await using var smtp = new FakeSmtpServer();
        await using var status = await StatusServer.StartAsync(storage,
        [
            .. MonitorTests.PagerDutyEscalation(pagerDuty),
            "--Paging:Targets:secondary:Kind", "Webhook", "--Paging:Targets:secondary:Url", $"{webhook.BaseUrl}/page", "--Paging:Targets:secondary:Secret", WebhookSecret,
            .. Email("manager", smtp), "--Paging:Escalation:1", "secondary", "--Paging:Escalation:2", "manager", "--Paging:EscalateAfterSeconds", "600",
        ], time);

        var (_, incident) = await status.Staff.PostJsonAsync("/ops/incidents", new { name = "Voice down", body = "No calls connect.", priority = "P1", impact = "critical" });
        var id = incident.Str("id");
        Assert.Equal("trigger", (await pagerDuty.NextAsync()).Json.Str("event_action"));
        Assert.Equal(0, await status.Pager.EscalateDueAsync(CancellationToken.None));

        time.Advance(TimeSpan.FromSeconds(601));
        await status.Pager.EscalateDueAsync(CancellationToken.None); // or the dispatcher's own pass, woken by the clock, does it first
        var page = await webhook.NextAsync();
        AssertSigned(page, time);
        Assert.Equal("incident.opened", page.Json.Str("event"));
        Assert.True(page.Json.GetProperty("page").GetBoolean());
        Assert.Equal(id, page.Json.GetProperty("incident").Str("id"));

        var (_, acknowledged) = await status.Staff.PostJsonAsync($"/ops/incidents/{id}/acknowledge", null);
        Assert.Equal(1, acknowledged.GetProperty("paged_level").GetInt32());
        time.Advance(TimeSpan.FromSeconds(601));
        Assert.Equal(0, await status.Pager.EscalateDueAsync(CancellationToken.None));
        Assert.Equal(1, (await status.Staff.GetJsonAsync($"/ops/incidents/{id}")).Body.GetProperty("paged_level").GetInt32()); // the manager is not woken

        await status.Staff.PostJsonAsync($"/ops/incidents/{id}/updates", new { status = "resolved", body = "Calls connect again." });
        var resolutions = new[] { await pagerDuty.NextAsync(), await webhook.NextAsync() };
        Assert.Equal("resolve", resolutions[0].Json.Str("event_action"));
        Assert.Equal("incident.resolved", resolutions[1].Json.Str("event"));
        AssertSigned(resolutions[1], time);
    }

    [Fact]
    public async Task Lower_priorities_notify_by_email_and_Slack_without_paging()
    {
        using var storage = await TestStorage.CreateAsync(StorageProvider.Sqlite);
        await using var pagerDuty = await FakeHttpReceiver.StartAsync(tls: true);
        await using var slack = await FakeHttpReceiver.StartAsync(tls: true);
        await using var smtp = new FakeSmtpServer();
        await using var status = await StatusServer.StartAsync(storage,
        [
            .. MonitorTests.PagerDutyEscalation(pagerDuty), .. Email("team", smtp),
            "--Paging:Targets:slack:Kind", "Webhook", "--Paging:Targets:slack:Url", $"{slack.BaseUrl}/services/T0/B0", "--Paging:Targets:slack:Secret", WebhookSecret,
            "--Paging:Targets:slack:Slack", "true", "--Paging:Notify:0", "team", "--Paging:Notify:1", "slack", "--Status:PublicUrl", "https://status.example.test",
        ]);

        var (_, incident) = await status.Staff.PostJsonAsync("/ops/incidents", new { name = "Slow console", body = "Pages load slowly.", priority = "P3" });
        var mail = await smtp.NextAsync();
        Assert.Contains("Subject: [P3] Slow console", mail);
        Assert.Contains("Pages load slowly.", mail);
        Assert.Contains($"https://status.example.test/status#incident-{incident.Str("id")}", mail);
        var chat = (await slack.NextAsync()).Json;
        Assert.Equal(["text"], chat.EnumerateObject().Select(p => p.Name));
        Assert.StartsWith("[P3] Slow console\nPages load slowly.", chat.Str("text"));

        await status.Staff.PostJsonAsync($"/ops/incidents/{incident.Str("id")}/updates", new { status = "resolved", body = "Fast again." });
        Assert.Contains("Subject: Resolved: [P3] Slow console", await smtp.NextAsync());
        Assert.StartsWith("Resolved: [P3] Slow console", (await slack.NextAsync()).Json.Str("text"));
        Assert.True(pagerDuty.IsEmpty); // sent in the same passes as the notifications, had there been a page
    }

    [Fact]
    public async Task Bad_paging_configuration_stops_the_start_naming_the_key_and_never_the_secret()
    {
        using var storage = await TestStorage.CreateAsync(StorageProvider.Sqlite);
        var failure = await Assert.ThrowsAnyAsync<Exception>(() => RunningServer.StartAsync(storage,
        [
            "--Paging:Targets:hook:Kind", "Webhook", "--Paging:Targets:hook:Url", "file:///etc/passwd", "--Paging:Targets:hook:Secret", WebhookSecret,
            "--Paging:Targets:pd:Kind", "PagerDuty", "--Paging:Escalation:0", "pd", "--Paging:Notify:0", "nobody",
        ]));
        var message = StartupFailure.Describe(failure);
        Assert.NotNull(message);
        Assert.Contains("Paging:Targets:hook:Url: required, an absolute https URL", message);
        Assert.Contains("Paging:Targets:pd:RoutingKey: required", message);
        Assert.Contains("Paging:Notify: 'nobody' is not one of Paging:Targets", message);
        Assert.DoesNotContain(WebhookSecret, message);
    }

    [Fact]
    public async Task A_plain_http_paging_target_stops_the_start_naming_the_key()
    {
        using var storage = await TestStorage.CreateAsync(StorageProvider.Sqlite);
        var failure = await Assert.ThrowsAnyAsync<Exception>(() => RunningServer.StartAsync(storage,
        [
            "--Webhooks:AllowedNetworks:0", "127.0.0.0/8",
            "--Paging:Targets:hook:Kind", "Webhook", "--Paging:Targets:hook:Url", "http://127.0.0.1:9/hook", "--Paging:Targets:hook:Secret", WebhookSecret,
            "--Paging:Targets:pd:Kind", "PagerDuty", "--Paging:Targets:pd:RoutingKey", MonitorTests.RoutingKey, "--Paging:Targets:pd:Url", "http://127.0.0.1:9/v2/enqueue",
            "--Paging:Escalation:0", "pd", "--Paging:Notify:0", "hook",
        ]));
        var message = StartupFailure.Describe(failure);
        Assert.NotNull(message);
        Assert.Contains("Paging:Targets:hook:Url: required, an absolute https URL", message);
        Assert.Contains("Paging:Targets:pd:Url: must be an absolute https URL", message);
        Assert.DoesNotContain(WebhookSecret, message);
    }

    [Fact]
    public async Task Routing_keys_webhook_urls_and_smtp_passwords_never_reach_the_logs()
    {
        using var storage = await TestStorage.CreateAsync(StorageProvider.Sqlite);
        await using var pagerDuty = await FakeHttpReceiver.StartAsync(tls: true);
        await using var webhook = await FakeHttpReceiver.StartAsync(tls: true);
        await using var smtp = new FakeSmtpServer();
        pagerDuty.FailNext(500);
        webhook.FailNext(500);
        const string webhookPath = "/services/T000/B000/SECRETPATHPART0123";
        const string smtpPassword = "smtp-password-0123456789";
        var logs = new RecordedLogs();
        await using var status = await StatusServer.StartAsync(storage,
        [
            .. MonitorTests.PagerDutyEscalation(pagerDuty), .. Email("mail", smtp), "--Smtp:UserName", "status", "--Smtp:Password", smtpPassword,
            "--Paging:Targets:hook:Kind", "Webhook", "--Paging:Targets:hook:Url", webhook.BaseUrl + webhookPath, "--Paging:Targets:hook:Secret", WebhookSecret,
            "--Paging:Notify:0", "hook", "--Paging:Notify:1", "mail",
            // Loud enough that HTTP client request logging, were it on, would be recorded.
            "--Logging:LogLevel:System.Net.Http", "Trace", "--Logging:LogLevel:Contacto", "Information",
        ], logs: logs);
        using var outcomes = new PageOutcomes(status.Server.Services);

        await status.Staff.PostJsonAsync("/ops/incidents", new { name = "Everything fails", body = "Yes.", priority = "P1" });
        // Three first attempts, all failing: PagerDuty and the webhook answer 500, the SMTP server offers no AUTH.
        Assert.Equal(["retry", "retry", "retry"], [await outcomes.NextAsync(), await outcomes.NextAsync(), await outcomes.NextAsync()]);
        var text = string.Join("\n", logs.Lines);
        Assert.Contains("failed", text);
        foreach (var (what, secret) in new[] { ("routing key", MonitorTests.RoutingKey), ("webhook URL", webhookPath), ("webhook secret", WebhookSecret), ("SMTP password", smtpPassword) })
            Assert.False(text.Contains(secret, StringComparison.Ordinal), $"the {what} reached the logs"); // the message must not repeat it either
    }

    static string[] Email(string name, FakeSmtpServer smtp) =>
    [
        $"--Paging:Targets:{name}:Kind", "Email", $"--Paging:Targets:{name}:To:0", "oncall@example.test",
        "--Smtp:Host", "127.0.0.1", "--Smtp:Port", smtp.Port.ToString(), "--Smtp:Security", "None", "--Smtp:From", "status@example.test",
    ];

    static void AssertSigned(ReceivedRequest request, TimeProvider time)
    {
        var header = request.Headers["X-Contacto-Signature"];
        var timestamp = long.Parse(header.Split(',')[0]["t=".Length..]);
        Assert.Equal(time.GetUtcNow().ToUnixTimeSeconds(), timestamp);
        Assert.Equal(WebhookSender.Sign(WebhookSecret, timestamp, Encoding.UTF8.GetBytes(request.Body)), header);
        Assert.NotEqual(WebhookSender.Sign(WebhookSecret + "x", timestamp, Encoding.UTF8.GetBytes(request.Body)), header);
    }
}
