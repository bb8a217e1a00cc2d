using System.Diagnostics;
using System.Text.Json;

namespace Contacto.Tests.Support;

/// <summary>
/// Runs a script of <c>Sdk/node</c> with the official Plivo Node SDK against a running server.
/// The packages come from the committed lock file (npm ci) the first time they are needed.
/// </summary>
public static class NodeSdk
{
    static readonly string Folder = Path.Combine(AppContext.BaseDirectory, "Sdk", "node");
    static readonly Lazy<Task> Installed = new(InstallAsync);

    /// <param name="environment">More variables for the script (its inputs).</param>
    public static async Task<JsonElement> RunAsync(string script, RunningServer server, string authId, string authToken,
        IReadOnlyDictionary<string, string>? environment = null)
    {
        await Installed.Value;
        var start = new ProcessStartInfo("node", Path.Combine(Folder, script))
        {
            WorkingDirectory = Folder,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        start.Environment["CONTACTO_URL"] = $"https://localhost:{server.PublicPort}";
        start.Environment["AUTH_ID"] = authId;
        start.Environment["AUTH_TOKEN"] = authToken;
        start.Environment["NODE_EXTRA_CA_CERTS"] = server.CaPath;
        start.Environment["NODE_NO_WARNINGS"] = "1";
        foreach (var (name, value) in environment ?? new Dictionary<string, string>())
            start.Environment[name] = value;
        var (exitCode, stdout, stderr) = await RunProcessAsync(start, TimeSpan.FromSeconds(120));
        Assert.True(exitCode == 0, $"node {script} exited {exitCode}: {stderr}");
        return JsonDocument.Parse(stdout).RootElement.Clone();
    }

    static async Task InstallAsync()
    {
        if (Directory.Exists(Path.Combine(Folder, "node_modules", "plivo")))
            return;
        var start = new ProcessStartInfo("npm", "ci --no-audit --no-fund --loglevel=error")
        {
            WorkingDirectory = Folder,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        var (exitCode, _, stderr) = await RunProcessAsync(start, TimeSpan.FromMinutes(5));
        if (exitCode != 0)
            throw new InvalidOperationException($"npm ci failed in {Folder}: {stderr}");
    }

    static async Task<(int ExitCode, string Stdout, string Stderr)> RunProcessAsync(ProcessStartInfo start, TimeSpan timeout)
    {
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var cancel = new CancellationTokenSource(timeout);
        await process.WaitForExitAsync(cancel.Token);
        return (process.ExitCode, await stdout, await stderr);
    }
}
