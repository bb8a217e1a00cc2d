using System.Diagnostics;
using System.Reflection;
using System.Text.Json;
using System.Threading.Channels;

namespace Contacto.Smpp.Tests.Support;

/// <summary>
/// Runs a node-smpp script from the Interop folder and reads its JSON events. Installs the
/// locked npm dependencies once, when node_modules is missing.
/// </summary>
internal sealed class NodePeer : IAsyncDisposable
{
    private static readonly SemaphoreSlim InstallLock = new(1, 1);
    private readonly Process _process;
    private readonly Channel<JsonElement> _events = Channel.CreateUnbounded<JsonElement>();
    private readonly List<JsonElement> _backlog = [];

    private NodePeer(Process process)
    {
        _process = process;
        // A null line is the end of the output: only then is every event in, even after exit.
        _process.OutputDataReceived += (_, line) =>
        {
            if (line.Data is null)
            {
                _events.Writer.TryComplete();
            }
            else if (line.Data.Length > 0)
            {
                _events.Writer.TryWrite(JsonDocument.Parse(line.Data).RootElement.Clone());
            }
        };
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
    }

    private static string Directory => typeof(NodePeer).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
        .Single(a => a.Key == "InteropDirectory").Value!;

    public static async Task<NodePeer> StartAsync(string script, params string[] arguments)
    {
        await EnsureInstalledAsync();
        var start = new ProcessStartInfo("node") { WorkingDirectory = Directory, RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = true };
        start.ArgumentList.Add(script);
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }
        return new NodePeer(Process.Start(start)!);
    }

    /// <summary>
    /// The first event with this name not yet taken, whatever came before it; fails on a
    /// "failed" event or when the script ends first.
    /// </summary>
    public async Task<JsonElement> NextAsync(string eventName)
    {
        var index = _backlog.FindIndex(e => e.GetProperty("event").GetString() == eventName);
        if (index >= 0)
        {
            var found = _backlog[index];
            _backlog.RemoveAt(index);
            return found;
        }
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        await foreach (var item in _events.Reader.ReadAllAsync(timeout.Token))
        {
            var name = item.GetProperty("event").GetString();
            Assert.NotEqual("failed", name);
            if (name == eventName)
            {
                return item;
            }
            _backlog.Add(item);
        }
        throw new InvalidOperationException($"The node script ended before '{eventName}'.");
    }

    public async Task<int> ExitCodeAsync()
    {
        await _process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(20));
        return _process.ExitCode;
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }
        _process.Dispose();
    }

    private static async Task EnsureInstalledAsync()
    {
        await InstallLock.WaitAsync();
        try
        {
            if (System.IO.Directory.Exists(Path.Combine(Directory, "node_modules", "smpp")))
            {
                return;
            }
            var install = new ProcessStartInfo("npm", "ci --no-audit --no-fund") { WorkingDirectory = Directory, RedirectStandardOutput = true, RedirectStandardError = true };
            using var npm = Process.Start(install)!;
            var output = npm.StandardOutput.ReadToEndAsync();
            var errors = npm.StandardError.ReadToEndAsync();
            await npm.WaitForExitAsync().WaitAsync(TimeSpan.FromMinutes(3));
            Assert.True(npm.ExitCode == 0, $"npm ci failed: {await output}{await errors}");
        }
        finally
        {
            InstallLock.Release();
        }
    }
}
