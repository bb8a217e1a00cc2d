using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Text.RegularExpressions;

namespace Contacto.Testing;

/// <summary>
/// The real executable as a child process (<c>dotnet Contacto.Server.dll</c>), for tests of exit
/// codes, signals and crashes. Its output is drained in the background; the banner's ports and
/// CA path are read from it.
/// </summary>
public sealed partial class ServerProcess : IDisposable
{
    readonly Process process;
    readonly TaskCompletionSource<(int PublicPort, int OpsPort, string CaPath)> banner = new(TaskCreationOptions.RunContinuationsAsynchronously);
    readonly Task<string> error;
    readonly Queue<string> recentOutput = new();
    readonly List<string> output = [];

    ServerProcess(Process process)
    {
        this.process = process;
        error = process.StandardError.ReadToEndAsync();
        _ = Task.Run(ReadOutputAsync);
    }

    public Process Process => process;

    /// <summary>What the banner says of the SIP listeners, once it was printed.</summary>
    public string? SipListeners { get; private set; }

    public static ServerProcess Start(params string[] arguments)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = AppContext.BaseDirectory,
        };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "Contacto.Server.dll"));
        foreach (var a in RunningServer.SipOnFreePorts.Concat(arguments))
            start.ArgumentList.Add(a);
        start.Environment["DOTNET_ENVIRONMENT"] = "Production";
        return new ServerProcess(Process.Start(start)!);
    }

    /// <summary>Waits for the banner (with the generated CA, as tests run it); fails with the process's standard error when it exits first.</summary>
    public async Task<(int PublicPort, int OpsPort, string CaPath)> WaitForBannerAsync(TimeSpan within)
    {
        var exited = process.WaitForExitAsync();
        var first = await Task.WhenAny(banner.Task, exited).WaitAsync(within);
        if (first == exited && !banner.Task.IsCompleted)
            Assert.Fail($"the server exited with {process.ExitCode} before its banner: {await error}");
        return await banner.Task;
    }

    /// <summary>The last hundred lines the process wrote after its banner.</summary>
    public string RecentOutput
    {
        get
        {
            lock (recentOutput)
                return string.Join('\n', recentOutput);
        }
    }

    /// <summary>Every line the process wrote to standard output after its banner, so far.</summary>
    public IReadOnlyList<string> Output
    {
        get
        {
            lock (recentOutput)
                return [.. output];
        }
    }

    /// <summary>Standard error, once the process has exited.</summary>
    public Task<string> StandardError => error;

    /// <summary>Sends a signal: 15 for SIGTERM, 9 for SIGKILL.</summary>
    public void Signal(int signal) => Assert.Equal(0, kill(process.Id, signal));

    public async Task<int> WaitForExitAsync(TimeSpan within)
    {
        await process.WaitForExitAsync().WaitAsync(within);
        return process.ExitCode;
    }

    async Task ReadOutputAsync()
    {
        int publicPort = 0, opsPort = 0;
        while (await process.StandardOutput.ReadLineAsync() is { } line)
        {
            if (banner.Task.IsCompleted)
            {
                // Keep the pipe drained, and the last lines (logs, never the banner's credentials) for a failing test to show.
                lock (recentOutput)
                {
                    output.Add(line);
                    recentOutput.Enqueue(line);
                    if (recentOutput.Count > 100)
                        recentOutput.Dequeue();
                }
                continue;
            }
            if (PublicLine().Match(line) is { Success: true } api)
                publicPort = int.Parse(api.Groups[1].Value);
            if (OpsLine().Match(line) is { Success: true } ops)
                opsPort = int.Parse(ops.Groups[1].Value);
            if (SipLine().Match(line) is { Success: true } sip)
                SipListeners = sip.Groups[1].Value;
            if (CaLine().Match(line) is { Success: true } ca)
                banner.TrySetResult((publicPort, opsPort, ca.Groups[1].Value.Trim())); // the last line the tests need
        }
    }

    public void Dispose()
    {
        if (!process.HasExited)
            process.Kill(entireProcessTree: true);
        process.Dispose();
    }

    [DllImport("libc", SetLastError = true)]
    static extern int kill(int pid, int signal);

    [GeneratedRegex(@"Public API:\s+https://[^:]+:(\d+)/")]
    private static partial Regex PublicLine();

    [GeneratedRegex(@"Ops plane:\s+https://[^:]+:(\d+)/")]
    private static partial Regex OpsLine();

    [GeneratedRegex(@"SIP:\s+(.+)$")]
    private static partial Regex SipLine();

    [GeneratedRegex(@"TLS CA:\s+(\S+)")]
    private static partial Regex CaLine();
}
