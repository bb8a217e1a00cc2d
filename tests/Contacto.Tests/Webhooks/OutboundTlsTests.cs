using System.Diagnostics;
using System.Net;
using System.Net.Security;
using System.Security.Authentication;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Contacto.Console;
using Contacto.Status.Incidents.Paging;
using Contacto.Storage;
using Contacto.Testing;
using Contacto.Webhooks;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Contacto.Tests.Webhooks;

/// <summary>
/// Every outbound HTTP client of the platform (callbacks, paging, the console's OpenID Connect
/// client) against real TLS servers on loopback: TLS 1.2 or later only, and never from https to http.
/// </summary>
public sealed class OutboundTlsTests : IAsyncLifetime
{
    static readonly string[] NamedClients = [HttpDelivery.ClientName, ConsoleSso.ClientName];
    readonly TempDirectory directory = new();
    X509Certificate2 certificate = null!;
    TestStorage storage = null!;
    RunningServer server = null!;

    public async Task InitializeAsync()
    {
        certificate = LoopbackCertificate.Create(out var created);
        using var key = created;
        await File.WriteAllTextAsync(directory.Combine("cert.pem"), certificate.ExportCertificatePem());
        await File.WriteAllTextAsync(directory.Combine("key.pem"), key.ExportPkcs8PrivateKeyPem());
        storage = await TestStorage.CreateAsync(StorageProvider.Sqlite);
        // The platform's own handlers, trusting this test's certificate as well, and allowed to reach its loopback servers.
        server = await RunningServer.StartAsync(storage, ["--Webhooks:AllowedNetworks:0", "127.0.0.0/8"], configure: b =>
        {
            foreach (var name in NamedClients)
                b.Services.AddHttpClient(name).ConfigurePrimaryHttpMessageHandler((handler, _) => Trust((SocketsHttpHandler)handler));
        });
    }

    public async Task DisposeAsync()
    {
        await server.DisposeAsync();
        storage.Dispose();
        certificate.Dispose();
        directory.Dispose();
    }

    void Trust(SocketsHttpHandler handler) => LoopbackCertificate.Trust(handler, certificate);

    WebhookClient CallbackClient() =>
        new(new OutboundUrlPolicy(Options.Create(new WebhookOptions { AllowedNetworks = ["127.0.0.0/8"] })), Options.Create(new WebhookOptions { TimeoutSeconds = 5 }), Trust);

    static readonly KeyValuePair<string, string>[] Fields = [new("Status", "delivered")];

    [Fact]
    public void Every_named_outbound_client_asks_for_TLS_1_2_or_later_and_follows_no_redirect()
    {
        var factory = server.Services.GetRequiredService<IHttpMessageHandlerFactory>();
        foreach (var name in NamedClients)
        {
            var handler = factory.CreateHandler(name);
            while (handler is DelegatingHandler outer)
                handler = outer.InnerHandler!;
            var primary = Assert.IsType<SocketsHttpHandler>(handler);
            Assert.Equal(SslProtocols.Tls12 | SslProtocols.Tls13, primary.SslOptions.EnabledSslProtocols);
            Assert.False(primary.AllowAutoRedirect, $"{name} follows redirects by itself");
            Assert.True(primary.ConnectCallback is not null, $"{name} connects without the outbound URL policy");
        }
    }

    [Fact]
    public async Task A_server_that_speaks_only_TLS_1_1_is_refused_by_every_client()
    {
        // OpenSSL's own server, allowed to speak TLS 1.1 (security level 0), and nothing newer.
        var port = FreePort();
        using var tls11 = OpenSsl("s_server", "-accept", $"127.0.0.1:{port}", "-tls1_1", "-cipher", "ALL:@SECLEVEL=0",
            "-cert", directory.Combine("cert.pem"), "-key", directory.Combine("key.pem"), "-www");
        try
        {
            while (await tls11.StandardOutput.ReadLineAsync().WaitAsync(TimeSpan.FromSeconds(20)) is { } line && !line.Contains("ACCEPT"))
            {
            }
            var url = $"https://127.0.0.1:{port}/";
            Assert.Equal("TLSv1.1", await OpenSslNegotiatesAsync(port)); // a working server, of TLS 1.1

            using var callbacks = CallbackClient();
            var result = await callbacks.SendAsync(new Callback(url, "POST", Fields, "token", "token"), CancellationToken.None);
            Assert.Equal(AttemptOutcome.Retry, result.Outcome);
            Assert.Equal("connection failed", result.Error);

            var clients = server.Services.GetRequiredService<IHttpClientFactory>();
            foreach (var name in NamedClients)
                await Assert.ThrowsAsync<HttpRequestException>(() => clients.CreateClient(name).GetAsync(url));
        }
        finally
        {
            tls11.Kill();
            await tls11.WaitForExitAsync();
        }
    }

    [Fact]
    public async Task A_redirect_from_https_to_http_is_never_followed()
    {
        await using var plain = await CallbackReceiver.StartAsync();
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, 0, l => l.UseHttps(certificate)));
        await using var secure = builder.Build();
        secure.Map("/{**path}", () => Results.Redirect($"{plain.BaseUrl}/landed", permanent: false, preserveMethod: true));
        await secure.StartAsync();
        var url = secure.Urls.Single() + "/hook";

        using var callbacks = CallbackClient();
        var result = await callbacks.SendAsync(new Callback(url, "POST", Fields, "token", "token"), CancellationToken.None);
        Assert.Equal(AttemptOutcome.GiveUp, result.Outcome);
        Assert.Equal("refused: a redirect from https to http", result.Error);

        var clients = server.Services.GetRequiredService<IHttpClientFactory>();
        foreach (var name in NamedClients)
        {
            using var response = await clients.CreateClient(name).GetAsync(url);
            Assert.Equal(HttpStatusCode.TemporaryRedirect, response.StatusCode);
        }
        Assert.False(plain.TryNext(out _), "a client followed the redirect to http");
    }

    /// <summary>The protocol OpenSSL's own client agrees with the server when it may speak TLS 1.1.</summary>
    static async Task<string> OpenSslNegotiatesAsync(int port)
    {
        using var client = OpenSsl("s_client", "-connect", $"127.0.0.1:{port}", "-tls1_1", "-cipher", "ALL:@SECLEVEL=0");
        client.StandardInput.Close();
        var output = await client.StandardOutput.ReadToEndAsync().WaitAsync(TimeSpan.FromSeconds(20));
        await client.WaitForExitAsync();
        return output.Split('\n').Select(l => l.Trim()).FirstOrDefault(l => l.StartsWith("Protocol  :"))?.Split(':')[1].Trim() ?? "none";
    }

    static Process OpenSsl(params string[] arguments) =>
        Process.Start(new ProcessStartInfo("openssl", arguments) { RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = true })!;

    static int FreePort()
    {
        using var listener = new System.Net.Sockets.TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
