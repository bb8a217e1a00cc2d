using Microsoft.Playwright;

namespace Contacto.Testing;

/// <summary>
/// Debian's headless Chromium (never a downloaded one) in a fresh profile, through Playwright. The
/// server's certificate comes from the test's own CA, which the fresh profile does not know.
/// </summary>
public sealed class HeadlessChromium : IAsyncDisposable
{
    const string Executable = "/usr/bin/chromium";
    public static readonly TimeSpan Wait = TimeSpan.FromSeconds(20);

    readonly IPlaywright playwright;
    readonly TempDirectory profile;

    HeadlessChromium(IPlaywright playwright, IBrowserContext context, TempDirectory profile)
    {
        this.playwright = playwright;
        this.profile = profile;
        Context = context;
    }

    public IBrowserContext Context { get; }

    public IPage Page => Context.Pages.Single();

    public static async Task<HeadlessChromium> LaunchAsync(bool javaScript = true, int width = 375, int height = 740)
    {
        Environment.SetEnvironmentVariable("PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD", "1");
        Assert.True(File.Exists(Executable), $"{Executable} is missing: scripts/test installs Debian's chromium package");
        var playwright = await Playwright.CreateAsync();
        var profile = new TempDirectory();
        var context = await playwright.Chromium.LaunchPersistentContextAsync(profile.Path, new()
        {
            ExecutablePath = Executable,
            Headless = true,
            Args = ["--no-sandbox", "--headless", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--no-first-run"],
            JavaScriptEnabled = javaScript,
            IgnoreHTTPSErrors = true,
            ViewportSize = new() { Width = width, Height = height },
            Timeout = (float)Wait.TotalMilliseconds,
        });
        return new HeadlessChromium(playwright, context, profile);
    }

    /// <summary>What the page's console reports as errors (CSP violations among them), from now on.</summary>
    public static List<string> ErrorsOf(IPage page)
    {
        var errors = new List<string>();
        page.Console += (_, message) =>
        {
            if (message.Type == "error")
                errors.Add($"{message.Location}: {message.Text}");
        };
        return errors;
    }

    /// <summary>The page does not scroll sideways (on a phone-sized viewport), and no two of its elements share an id.</summary>
    public static async Task AssertFitsAsync(IPage page)
    {
        Assert.True(await page.EvaluateAsync<bool>("() => document.documentElement.scrollWidth <= window.innerWidth"), $"{page.Url} scrolls sideways");
        var ids = await page.EvaluateAsync<string[]>("() => [...document.querySelectorAll('[id]')].map(e => e.id)");
        Assert.True(ids.Length == ids.Distinct().Count(), $"{page.Url} repeats ids: {string.Join(", ", ids.GroupBy(id => id).Where(g => g.Count() > 1).Select(g => g.Key))}");
    }

    public async ValueTask DisposeAsync()
    {
        await Context.CloseAsync();
        playwright.Dispose();
        profile.Dispose();
    }
}
