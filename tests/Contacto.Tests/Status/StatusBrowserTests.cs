using Contacto.Storage;
using Contacto.Testing;
using Microsoft.Playwright;

namespace Contacto.Tests.Status;

/// <summary>
/// The status page in a real headless Chromium (Debian's, never a downloaded one): it works without
/// JavaScript, fits a phone, and with JavaScript a change arrives without a reload.
/// </summary>
public sealed class StatusBrowserTests
{
    static readonly TimeSpan Wait = HeadlessChromium.Wait;

    [Fact]
    public async Task A_change_arrives_live_without_a_reload_on_a_phone_sized_screen_and_breaks_no_policy()
    {
        using var storage = await TestStorage.CreateAsync(StorageProvider.Sqlite);
        await using var status = await StatusServer.StartAsync(storage);
        await using var browser = await HeadlessChromium.LaunchAsync(javaScript: true);
        var page = browser.Page;
        var errors = new List<string>();
        page.Console += (_, message) =>
        {
            if (message.Type == "error")
                errors.Add(message.Text);
        };

        await page.GotoAsync($"https://localhost:{status.Server.PublicPort}/status");
        Assert.Equal("All Systems Operational", await page.Locator("#overall").TextContentAsync());
        await page.EvaluateAsync("() => { window.sameDocument = true; }");
        await page.Locator("body[data-live='connected']").WaitForAsync(new() { Timeout = (float)Wait.TotalMilliseconds });

        await status.Staff.PostJsonAsync("/ops/components/sms-pt", new { status = "major_outage" });
        await status.Staff.PostJsonAsync("/ops/incidents", new { name = "SMS to Portugal failing", body = "Both carriers refuse binds.", component_ids = "sms-pt", impact = "critical" });

        var smsPortugal = page.Locator("#component-sms-pt .status", new() { HasTextString = "Major outage" });
        await smsPortugal.WaitForAsync(new() { Timeout = (float)Wait.TotalMilliseconds });
        await page.Locator("article.incident h3", new() { HasTextString = "SMS to Portugal failing" }).WaitForAsync(new() { Timeout = (float)Wait.TotalMilliseconds });
        Assert.Equal("Major System Outage", await page.Locator("#overall").TextContentAsync());
        Assert.True(await page.EvaluateAsync<bool>("() => window.sameDocument === true"), "the page reloaded");
        Assert.StartsWith("Status updated:", await page.Locator("#live").TextContentAsync());
        Assert.True(await page.EvaluateAsync<bool>("() => document.documentElement.scrollWidth <= window.innerWidth"), "the page scrolls sideways on a phone");
        Assert.True(errors.Count == 0, string.Join("\n", errors));
    }

    [Fact]
    public async Task Without_JavaScript_the_page_shows_everything()
    {
        using var storage = await TestStorage.CreateAsync(StorageProvider.Sqlite);
        await using var status = await StatusServer.StartAsync(storage);
        await status.Staff.PostJsonAsync("/ops/components/pop-lis", new { status = "degraded_performance" });
        await status.Staff.PostJsonAsync("/ops/incidents", new { name = "Lisbon latency", body = "Calls through Lisbon are slow.", component_ids = "pop-lis" });
        await using var browser = await HeadlessChromium.LaunchAsync(javaScript: false);
        var page = browser.Page;

        await page.GotoAsync($"https://localhost:{status.Server.PublicPort}/status");
        Assert.Equal("Contacto status", await page.TitleAsync());
        Assert.Equal("Minor Service Outage", await page.Locator("#overall").TextContentAsync());
        Assert.Equal("Degraded performance", await page.Locator("#component-pop-lis .status").TextContentAsync());
        Assert.Equal(6, await page.Locator("li.component").CountAsync());
        Assert.Contains("Calls through Lisbon are slow.", await page.Locator("section[aria-labelledby='open-incidents']").TextContentAsync());
        Assert.Contains("uptime over the last 90 days", await page.Locator("#component-api .uptime").TextContentAsync());
        Assert.Null(await page.Locator("body").GetAttributeAsync("data-live")); // the script did not run
        Assert.Equal("en", await page.Locator("html").GetAttributeAsync("lang"));
        Assert.True(await page.GetByRole(AriaRole.Main).IsVisibleAsync());
        Assert.True(await page.GetByRole(AriaRole.Heading, new() { Name = "Components" }).IsVisibleAsync());
    }
}
