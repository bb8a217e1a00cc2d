using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace Contacto.Sip.Tests.Support;

/// <summary>
/// Runs SIPp (Debian's sip-tester) with a built-in scenario in a working folder of its own, where
/// pcap/ links to the package's files as SIPp expects, and reads its exit code and statistics.
/// </summary>
internal sealed class Sipp : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("sipp-").FullName;

    public Sipp()
    {
        File.CreateSymbolicLink(Path.Combine(_folder, "pcap"), "/usr/share/sip-tester");
    }

    /// <summary>SIPp's working folder: its statistics, error and <c>-trace_rtt</c> files.</summary>
    public string Folder => _folder;

    public static int FreePort(ProtocolType protocol)
    {
        using var socket = new Socket(AddressFamily.InterNetwork, protocol == ProtocolType.Udp ? SocketType.Dgram : SocketType.Stream, protocol);
        socket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        return ((IPEndPoint)socket.LocalEndPoint!).Port;
    }

    /// <summary>Starts SIPp; <see cref="Result.ExitCode"/> and the last line of its statistics once it ends.</summary>
    public Running Start(params string[] arguments)
    {
        var start = new ProcessStartInfo("sipp")
        {
            WorkingDirectory = _folder,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var argument in arguments.Concat(["-nostdin", "-trace_stat", "-stf", "stats.csv", "-fd", "1", "-timeout", "30s", "-timeout_error", "-trace_err"]))
        {
            start.ArgumentList.Add(argument);
        }
        return new Running(Process.Start(start)!, _folder);
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(_folder, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    internal sealed class Running(Process process, string folder) : IDisposable
    {
        private readonly Task<string> _output = process.StandardOutput.ReadToEndAsync();
        private readonly Task<string> _errors = process.StandardError.ReadToEndAsync();

        /// <summary>
        /// The statistics SIPp writes each second (<c>-fd 1</c>), once they satisfy <paramref name="condition"/>:
        /// for a run that does not end by itself (a uas that answers keep-alives with <c>-aa</c> counts each
        /// OPTIONS towards <c>-m</c>, and its calls for them never end).
        /// </summary>
        public async Task<Dictionary<string, string>> StatisticsWhenAsync(Func<Dictionary<string, string>, bool> condition)
        {
            var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
            var statistics = Path.Combine(folder, "stats.csv");
            while (true)
            {
                var lines = File.Exists(statistics) ? await File.ReadAllLinesAsync(statistics) : [];
                if (lines.Length >= 2 && Parse(lines[0], lines[^1]) is var last && condition(last))
                {
                    return last;
                }
                if (DateTime.UtcNow > deadline || process.HasExited)
                {
                    throw new TimeoutException($"SIPp's statistics never met the condition: {(lines.Length >= 2 ? lines[^1] : "none written")}");
                }
                await Task.Delay(100);
            }
        }

        public async Task<Result> WaitAsync()
        {
            using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(60));
            await process.WaitForExitAsync(deadline.Token);
            var statistics = Path.Combine(folder, "stats.csv");
            var lines = File.Exists(statistics) ? await File.ReadAllLinesAsync(statistics) : [];
            var errors = Directory.GetFiles(folder, "*_errors.log").Select(File.ReadAllText).FirstOrDefault() ?? "";
            return new Result(process.ExitCode, lines.Length >= 2 ? Parse(lines[0], lines[^1]) : [], await _output + await _errors + errors);
        }

        public void Dispose()
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
            }
            process.Dispose();
        }

        private static Dictionary<string, string> Parse(string header, string last) =>
            header.Split(';').Zip(last.Split(';')).Where(p => p.First.Length > 0).ToDictionary(p => p.First, p => p.Second);
    }

    internal sealed record Result(int ExitCode, Dictionary<string, string> Statistics, string Output)
    {
        public int Count(string name) => Count(Statistics, name);

        public static int Count(Dictionary<string, string> statistics, string name) => int.Parse(statistics[name], CultureInfo.InvariantCulture);
    }
}
