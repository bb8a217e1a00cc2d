using System.Diagnostics;
using System.Net;
using System.Runtime.InteropServices;
using System.Text.RegularExpressions;
using Contacto.Tests.Support;

namespace Contacto.Tests.Foundation;

/// <summary>The real executable: exit codes, banner, and SIGTERM.</summary>
public sealed partial class ProcessTests
{
    [Fact]
    public async Task Bad_configuration_exits_with_code_2_and_names_the_key()
    {
        using var data = new TempDirectory();
        using var server = Start("--data-dir", data.Combine("data"), "--storage", "mysql");
        var stderr = server.StandardError.ReadToEndAsync();
        await server.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(60));

        Assert.Equal(2, server.ExitCode);
        Assert.Contains("Storage:Provider", await stderr);
    }

    [Fact]
    public async Task It_prints_the_banner_serves_and_exits_0_on_SIGTERM()
    {
        using var data = new TempDirectory();
        using var server = Start("--data-dir", data.Combine("data"), "--public-url", "https://127.0.0.1:0", "--ops-url", "https://127.0.0.1:0");
        try
        {
            string? caPath = null;
            int opsPort = 0;
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
            while (await server.StandardOutput.ReadLineAsync(timeout.Token) is { } line)
            {
                if (OpsLine().Match(line) is { Success: true } ops)
                    opsPort = int.Parse(ops.Groups[1].Value);
                if (CaLine().Match(line) is { Success: true } ca)
                {
                    caPath = ca.Groups[1].Value.Trim();
                    break;
                }
            }
            Assert.Equal(data.Combine("data", "tls", "ca.crt"), caPath);
            Assert.NotEqual(0, opsPort);
            using (var client = CaTrust.Client(caPath!, opsPort, "127.0.0.1"))
            using (var response = await client.GetAsync("/health/ready"))
                Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            _ = server.StandardOutput.ReadToEndAsync(); // keep the pipe drained while it shuts down

            Assert.Equal(0, kill(server.Id, 15));
            await server.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(60));
            Assert.Equal(0, server.ExitCode);
        }
        finally
        {
            if (!server.HasExited)
                server.Kill();
        }
    }

    static Process Start(params string[] arguments)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = AppContext.BaseDirectory,
        };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "Contacto.Server.dll"));
        foreach (var a in arguments)
            start.ArgumentList.Add(a);
        start.Environment["DOTNET_ENVIRONMENT"] = "Production";
        return Process.Start(start)!;
    }

    [DllImport("libc", SetLastError = true)]
    static extern int kill(int pid, int signal);

    [GeneratedRegex(@"Ops plane:\s+https://[^:]+:(\d+)/")]
    private static partial Regex OpsLine();

    [GeneratedRegex(@"TLS CA:\s+(\S+)")]
    private static partial Regex CaLine();
}
