using Contacto.Accounts;
using Contacto.Server;
using Contacto.Tls;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;

namespace Contacto.Testing;

/// <summary>
/// The real server, in this process, on loopback ports the OS picks, with real TLS. Built exactly
/// as Program builds it, from command-line arguments.
/// </summary>
public sealed class RunningServer : IAsyncDisposable
{
    RunningServer(WebApplication app, string caPath, AccountService.Created? firstAccount)
    {
        App = app;
        FirstAccount = firstAccount;
        CaPath = caPath;
        var bound = app.Services.GetRequiredService<BoundListeners>();
        PublicPort = bound.PublicPort;
        OpsPort = bound.OpsPort;
        Public = CaTrust.Client(caPath, PublicPort);
        Ops = CaTrust.Client(caPath, OpsPort, "127.0.0.1");
    }

    public WebApplication App { get; }

    /// <summary>The demo account this start created, when the database was empty.</summary>
    public AccountService.Created? FirstAccount { get; }
    public string CaPath { get; }
    public int PublicPort { get; }
    public int OpsPort { get; }
    public HttpClient Public { get; }
    public HttpClient Ops { get; }
    public IServiceProvider Services => App.Services;

    /// <summary>The SIP listeners on loopback ports the OS picks, so that servers run side by side (the default is 5060/5061 on every address).</summary>
    public static readonly string[] SipOnFreePorts =
        ["--Sip:Listen:Udp", "127.0.0.1:0", "--Sip:Listen:Tcp", "127.0.0.1:0", "--Sip:Listen:Tls", "127.0.0.1:0"];

    /// <summary>
    /// For a server on a fake clock: no simulated SIP trunks. Their keep-alives fire on every
    /// 400 ms the clock is advanced, and their transactions' timers, made and dropped on other
    /// threads meanwhile, race FakeTimeProvider's advance (a NullReferenceException inside it).
    /// </summary>
    public static readonly string[] OnAFakeClock = ["--Carriers:SimulatedVoice", "false"];

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
            .. SipOnFreePorts,
            .. storage.Arguments,
            .. extraArguments ?? [],
        ];
        var app = ContactoServer.Build(args, configure, map);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var firstAccount = await ContactoServer.StartAsync(app, timeout.Token);
        var ca = trustedCaPath ?? app.Services.GetRequiredService<ServerCertificateStore>().CaCertificatePath
                 ?? throw new InvalidOperationException("Name the CA that signed the configured certificate");
        return new RunningServer(app, ca, firstAccount);
    }

    /// <summary>A client of the public plane that authenticates as the given account, connecting from <paramref name="from"/> when given.</summary>
    public HttpClient ApiClient(string authId, string authToken, System.Net.IPAddress? from = null)
    {
        var client = CaTrust.Client(CaPath, PublicPort, from: from);
        client.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue(
            "Basic", Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes($"{authId}:{authToken}")));
        return client;
    }

    /// <summary>Creates a main account directly, as the operator's CLI does.</summary>
    public Task<AccountService.Created> CreateAccountAsync(string name = "Tenant") =>
        Services.GetRequiredService<AccountService>().CreateAsync(name, null, true, Contacto.Audit.AuditActor.Operator, null, CancellationToken.None);

    public async ValueTask DisposeAsync()
    {
        Public.Dispose();
        Ops.Dispose();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await App.StopAsync(timeout.Token);
        await App.DisposeAsync();
    }
}
