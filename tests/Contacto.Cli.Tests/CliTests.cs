using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Contacto.Cli;
using Contacto.Storage;
using Contacto.Testing;

namespace Contacto.Cli.Tests;

public sealed class CliTests
{
    [Fact]
    public async Task Help_lists_the_commands()
    {
        var output = new StringWriter();
        Assert.Equal(0, await ContactoCli.InvokeAsync(["--help"], output, TextWriter.Null));
        Assert.Contains("db", output.ToString());
        Assert.Contains("tls", output.ToString());
        Assert.Contains("--data-dir", output.ToString());
    }

    [Fact]
    public async Task An_unknown_command_fails()
    {
        var error = new StringWriter();
        Assert.NotEqual(0, await ContactoCli.InvokeAsync(["frobnicate"], TextWriter.Null, error));
        Assert.NotEmpty(error.ToString());
    }

    [Fact]
    public async Task Tls_show_prints_paths_expiry_and_fingerprints_of_the_server_certificates()
    {
        using var storage = await TestStorage.CreateAsync(StorageProvider.Sqlite);
        await using (await RunningServer.StartAsync(storage))
        {
        }
        var output = new StringWriter();

        Assert.Equal(0, await ContactoCli.InvokeAsync(["--data-dir", storage.DataDir, "tls", "show"], output, TextWriter.Null));

        var text = output.ToString();
        foreach (var file in new[] { "ca.crt", "server.crt" })
        {
            var path = Path.Combine(storage.DataDir, "tls", file);
            using var certificate = X509CertificateLoader.LoadCertificateFromFile(path);
            Assert.Contains(path, text);
            Assert.Contains(Convert.ToHexString(certificate.GetCertHash(HashAlgorithmName.SHA256)), text);
            Assert.Contains(certificate.NotAfter.ToUniversalTime().ToString("u"), text);
        }
        Assert.Contains("127.0.0.1", text);
    }

    [Fact]
    public async Task Tls_show_before_first_start_says_so_and_creates_nothing()
    {
        using var data = new TempDirectory();
        var output = new StringWriter();
        Assert.Equal(0, await ContactoCli.InvokeAsync(["--data-dir", data.Combine("data"), "tls", "show"], output, TextWriter.Null));
        Assert.Contains("not generated yet", output.ToString());
        Assert.False(File.Exists(data.Combine("data", "tls", "ca.key")));
    }
}
