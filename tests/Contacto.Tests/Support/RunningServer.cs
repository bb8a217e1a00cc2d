using Contacto.Server;
using Contacto.Tls;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;

namespace Contacto.Tests.Support;

/// <summary>
/// The real server, in this process, on loopback ports the OS picks, with real TLS. Built exactly
/// as Program builds it, from command-line arguments.
/// </summary>
public sealed class RunningServer : IAsyncDisposable
{
    RunningServer(WebApplication app, string caPath)
    {
        App = app;
        CaPath = caPath;
        var bound = app.Services.GetRequiredService<BoundListeners>();
        PublicPort = bound.PublicPort;
        OpsPort = bound.OpsPort;
        Public = CaTrust.Client(caPath, PublicPort);
        Ops = CaTrust.Client(caPath, OpsPort, "127.0.0.1");
    }

    public WebApplication App { get; }
    public string CaPath { get; }
    public int PublicPort { get; }
    public int OpsPort { get; }
    public HttpClient Public { get; }
    public HttpClient Ops { get; }
    public IServiceProvider Services => App.Services;

    /// <param name="trustedCaPath">The CA clients trust; by default the server's generated one.</param>
    public static async Task<RunningServer> StartAsync(TestStorage storage, string[]? extraArguments = null,
        Action<WebApplicationBuilder>? configure = null, Action<WebApplication>? map = null, string? trustedCaPath = null)
    {
        string[] args =
        [
            "--public-url", "https://127.0.0.1:0",
            "--ops-url", "https://127.0.0.1:0",
            "--Log:Format", "Text",
            "--Logging:LogLevel:Default", "Warning",
            .. storage.Arguments,
            .. extraArguments ?? [],
        ];
        var app = ContactoServer.Build(args, configure, map);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await ContactoServer.StartAsync(app, timeout.Token);
        var ca = trustedCaPath ?? app.Services.GetRequiredService<ServerCertificateStore>().CaCertificatePath
                 ?? throw new InvalidOperationException("Name the CA that signed the configured certificate");
        return new RunningServer(app, ca);
    }

    public async ValueTask DisposeAsync()
    {
        Public.Dispose();
        Ops.Dispose();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await App.StopAsync(timeout.Token);
        await App.DisposeAsync();
    }
}
