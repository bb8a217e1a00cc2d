using System.Diagnostics;
using System.Text.Json;
using Contacto.Webhooks;

namespace Contacto.Testing;

/// <summary>
/// Runs a script of <c>Sdk/node</c> with the official Plivo Node SDK against a running server.
/// The packages come from the committed lock file (npm ci) the first time they are needed.
/// </summary>
public static class NodeSdk
{
    static readonly string Folder = Path.Combine(AppContext.BaseDirectory, "Sdk", "node");
    static readonly Lazy<Task> Installed = new(InstallAsync);

    /// <param name="environment">More variables for the script (its inputs).</param>
    public static Task<JsonElement> RunAsync(string script, RunningServer server, string authId, string authToken,
        IReadOnlyDictionary<string, string>? environment = null) =>
        RunScriptAsync(script, null, new Dictionary<string, string>(environment ?? new Dictionary<string, string>())
        {
            ["CONTACTO_URL"] = $"https://localhost:{server.PublicPort}",
            ["AUTH_ID"] = authId,
            ["AUTH_TOKEN"] = authToken,
            ["NODE_EXTRA_CA_CERTS"] = server.CaPath,
        });

    /// <summary>Runs a script with <paramref name="input"/> on its standard input; returns its JSON output.</summary>
    public static async Task<JsonElement> RunScriptAsync(string script, string? input, IReadOnlyDictionary<string, string>? environment = null)
    {
        await Installed.Value;
        var start = new ProcessStartInfo("node", Path.Combine(Folder, script))
        {
            WorkingDirectory = Folder,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var (name, value) in environment ?? new Dictionary<string, string>())
            start.Environment[name] = value;
        start.Environment["NODE_NO_WARNINGS"] = "1";
        var (exitCode, stdout, stderr) = await RunProcessAsync(start, TimeSpan.FromSeconds(120), input);
        Assert.True(exitCode == 0, $"node {script} exited {exitCode}: {stderr}");
        return JsonDocument.Parse(stdout).RootElement.Clone();
    }

    /// <summary>Checks a received callback's V3 and V2 signatures with the SDK's own validators (validate-signature.js); returns its results array.</summary>
    public static async Task<JsonElement> ValidateCallbackAsync(CallbackReceiver.Received got, string url, string token, Dictionary<string, string> form,
        string v3Header = PlivoSignature.V3Header)
    {
        var input = JsonSerializer.Serialize(new[]
        {
            new
            {
                method = got.Method,
                url,
                nonce = got.Headers[PlivoSignature.V3NonceHeader],
                signature = got.Headers[v3Header],
                token,
                @params = form,
                v2Nonce = got.Headers[PlivoSignature.V2NonceHeader],
                v2Signature = got.Headers[v3Header == PlivoSignature.V3Header ? PlivoSignature.V2Header : PlivoSignature.V2MainAccountHeader],
            },
        });
        return (await RunScriptAsync("validate-signature.js", input)).Clone();
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
        var (exitCode, _, stderr) = await RunProcessAsync(start, TimeSpan.FromMinutes(5), null);
        if (exitCode != 0)
            throw new InvalidOperationException($"npm ci failed in {Folder}: {stderr}");
    }

    static async Task<(int ExitCode, string Stdout, string Stderr)> RunProcessAsync(ProcessStartInfo start, TimeSpan timeout, string? input)
    {
        using var process = Process.Start(start)!;
        if (start.RedirectStandardInput)
        {
            await process.StandardInput.WriteAsync(input ?? "");
            process.StandardInput.Close();
        }
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var cancel = new CancellationTokenSource(timeout);
        await process.WaitForExitAsync(cancel.Token);
        return (process.ExitCode, await stdout, await stderr);
    }
}
