using System.CommandLine;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Contacto.Tls;
using Microsoft.Extensions.DependencyInjection;

namespace Contacto.Cli;

static class TlsCommands
{
    public static Command Create(CliContext context)
    {
        var show = new Command("show", "Show the TLS certificates: paths, names, expiry and SHA-256 fingerprints.");
        show.SetAction((_, cancellationToken) => context.RunAsync(async (services, _) =>
        {
            var store = services.GetRequiredService<ServerCertificateStore>();
            if (store.CaCertificatePath is { } caPath)
            {
                var directory = Path.GetDirectoryName(caPath)!;
                await Describe(context.Output, "CA", caPath);
                await Describe(context.Output, "Server", Path.Combine(directory, "server.crt"));
            }
            else
            {
                await context.Output.WriteLineAsync("Server certificate from configuration:");
                await Describe(context.Output, "Server", null, store.Current);
            }
            return 0;
        }, cancellationToken));

        return new Command("tls", "TLS certificates.") { show };
    }

    static async Task Describe(TextWriter output, string label, string? path, X509Certificate2? loaded = null)
    {
        if (loaded is null && (path is null || !File.Exists(path)))
        {
            await output.WriteLineAsync($"{label}: not generated yet ({path}); the server creates it at first start.");
            return;
        }
        using var certificate = loaded ?? X509CertificateLoader.LoadCertificateFromFile(path!);
        var names = certificate.Extensions["2.5.29.17"] is { } san
            ? string.Join(", ", new X509SubjectAlternativeNameExtension(san.RawData).EnumerateDnsNames()
                .Concat(new X509SubjectAlternativeNameExtension(san.RawData).EnumerateIPAddresses().Select(ip => ip.ToString())))
            : "(none)";
        await output.WriteLineAsync($"{label}:");
        if (path is not null)
            await output.WriteLineAsync($"  path:        {path}");
        await output.WriteLineAsync($"  subject:     {certificate.Subject}");
        await output.WriteLineAsync($"  names:       {names}");
        await output.WriteLineAsync($"  not before:  {certificate.NotBefore.ToUniversalTime():u}");
        await output.WriteLineAsync($"  not after:   {certificate.NotAfter.ToUniversalTime():u}");
        await output.WriteLineAsync($"  sha256:      {Convert.ToHexString(certificate.GetCertHash(HashAlgorithmName.SHA256))}");
    }
}
