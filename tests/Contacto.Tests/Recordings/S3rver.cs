using System.Diagnostics;
using System.Reflection;
using System.Text.RegularExpressions;
using Contacto.Testing;

namespace Contacto.Tests.Recordings;

/// <summary>
/// A real S3-compatible server (npm s3rver, locked in Recordings/s3rver and installed there by
/// scripts/test) on a loopback port, storing its objects under <see cref="DataDirectory"/>.
/// Its credentials are s3rver's own, S3RVER / S3RVER.
/// </summary>
public sealed partial class S3rver : IAsyncDisposable
{
    public const string Bucket = "contacto-recordings";
    public const string Credential = "S3RVER";
    private readonly Process _process;
    private readonly TempDirectory _directory;

    private S3rver(Process process, TempDirectory directory, int port)
    {
        _process = process;
        _directory = directory;
        Port = port;
    }

    public int Port { get; }

    public string ServiceUrl => $"http://127.0.0.1:{Port}";

    /// <summary>Where s3rver keeps the objects (and their metadata) as files.</summary>
    public string DataDirectory => _directory.Combine("objects");

    public static async Task<S3rver> StartAsync()
    {
        var folder = typeof(S3rver).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == "S3rverDirectory").Value!;
        var program = Path.Combine(folder, "node_modules", ".bin", "s3rver");
        Assert.True(File.Exists(program), $"s3rver is not installed in {folder} (scripts/test installs it: npm ci there)");
        var directory = new TempDirectory();
        Directory.CreateDirectory(directory.Combine("objects"));
        var start = new ProcessStartInfo("node") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in new[] { program, "-d", directory.Combine("objects"), "-a", "127.0.0.1", "-p", "0", "--configure-bucket", Bucket })
        {
            start.ArgumentList.Add(argument);
        }
        var process = Process.Start(start)!;
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        while (await process.StandardOutput.ReadLineAsync(timeout.Token) is { } line)
        {
            if (Listening().Match(line) is { Success: true } match)
            {
                _ = process.StandardOutput.ReadToEndAsync();
                _ = process.StandardError.ReadToEndAsync();
                return new S3rver(process, directory, int.Parse(match.Groups[1].Value));
            }
        }
        throw new InvalidOperationException($"s3rver ended before listening: {await process.StandardError.ReadToEndAsync()}");
    }

    public async ValueTask DisposeAsync()
    {
        _process.Kill(entireProcessTree: true);
        await _process.WaitForExitAsync();
        _process.Dispose();
        _directory.Dispose();
    }

    [GeneratedRegex(@"listening on 127\.0\.0\.1:(\d+)")]
    private static partial Regex Listening();
}
