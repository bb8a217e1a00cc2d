using System.Net;
using Contacto.Testing;

namespace Contacto.Server.Tests;

/// <summary>The real executable: exit codes, banner, and SIGTERM.</summary>
public sealed class ProcessTests
{
    static readonly TimeSpan Within = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task Bad_configuration_exits_with_code_2_and_names_the_key()
    {
        using var data = new TempDirectory();
        using var server = ServerProcess.Start("--data-dir", data.Combine("data"), "--storage", "mysql");

        Assert.Equal(2, await server.WaitForExitAsync(Within));
        Assert.Contains("Storage:Provider", await server.StandardError);
    }

    [Fact]
    public async Task It_prints_the_banner_serves_and_exits_0_on_SIGTERM()
    {
        using var data = new TempDirectory();
        using var server = ServerProcess.Start("--data-dir", data.Combine("data"), "--public-url", "https://127.0.0.1:0", "--ops-url", "https://127.0.0.1:0");

        var (_, opsPort, caPath) = await server.WaitForBannerAsync(Within);

        Assert.Equal(data.Combine("data", "tls", "ca.crt"), caPath);
        Assert.NotEqual(0, opsPort);
        Assert.Matches(@"^udp 127\.0\.0\.1:\d+, tcp 127\.0\.0\.1:\d+, tls 127\.0\.0\.1:\d+$", server.SipListeners);
        using (var client = CaTrust.Client(caPath, opsPort, "127.0.0.1"))
        using (var response = await client.GetAsync("/health/ready"))
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);

        server.Signal(15);
        Assert.Equal(0, await server.WaitForExitAsync(Within));
    }
}
