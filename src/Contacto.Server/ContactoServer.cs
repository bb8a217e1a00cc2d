using System.Net;
using Contacto.Accounts;
using Contacto.Api;
using Contacto.Audit;
using Contacto.Carriers;
using Contacto.Messaging;
using Contacto.Observability;
using Contacto.Operations;
using Contacto.Platform;
using Contacto.Storage;
using Contacto.Tls;
using Contacto.Voice;
using Contacto.Webhooks;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.HttpOverrides;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.AspNetCore.Server.Kestrel.Https;
using Microsoft.Extensions.Options;
using KestrelListenOptions = Microsoft.AspNetCore.Server.Kestrel.Core.ListenOptions;

namespace Contacto.Server;

/// <summary>
/// The host: one process, two HTTPS listeners (public and ops), every capability wired in.
/// Tests build it the same way Program does, with their own arguments.
/// </summary>
public static class ContactoServer
{
    /// <param name="configure">Adjusts services before the build (tests replace the clock here).</param>
    /// <param name="map">Adds endpoints after the platform's own (tests add probes here).</param>
    public static WebApplication Build(string[] args, Action<WebApplicationBuilder>? configure = null, Action<WebApplication>? map = null)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = args });
        // Only Contacto's own sources: appsettings, CONTACTO_ variables, the command line.
        builder.Configuration.Sources.Clear();
        builder.Configuration.AddContactoSources(args, builder.Environment.EnvironmentName, reloadOnChange: true);
        builder.Logging.AddContactoLogging(builder.Configuration, builder.Environment);

        var services = builder.Services;
        services.AddContactoPlatform();
        services.AddContactoCertificateRenewal();
        services.AddContactoMetrics();
        services.AddContactoTracing(builder.Configuration);
        services.AddContactoAuditWorkers();
        services.AddContactoWebhookWorkers();
        services.AddSingleton<SimulatedCarriers>();
        services.AddSingleton<IEmbeddedCarriers>(sp => sp.GetRequiredService<SimulatedCarriers>());
        // The SIP listeners, then the carriers' connections, then the workers that use them, so that they stop in the reverse order.
        services.AddContactoSipListener();
        services.AddContactoCarrierWorkers();
        services.AddContactoMessagingWorkers();
        services.AddContactoVoiceWorkers();
        services.AddOptions<ListenerOptions>().BindConfiguration(ListenerOptions.Section, o => o.ErrorOnUnknownConfiguration = true).ValidateOnStart();
        services.AddSingleton<IValidateOptions<ListenerOptions>, ListenerOptionsValidator>();
        services.AddSingleton<BoundListeners>();
        services.AddOptions<ForwardedHeadersOptions>().Configure<IOptions<ListenerOptions>>((forwarded, listen) => listen.Value.Configure(forwarded));
        services.AddOptions<HostOptions>().Configure<IOptions<ListenerOptions>>((host, listen) =>
            host.ShutdownTimeout = TimeSpan.FromSeconds(listen.Value.DrainSeconds));
        services.AddOptions<KestrelServerOptions>().Configure<IOptions<ListenerOptions>, ServerCertificateStore, BoundListeners>(ConfigureKestrel);
        services.AddHsts(o =>
        {
            o.MaxAge = TimeSpan.FromDays(365);
            o.ExcludedHosts.Clear(); // the header is wanted on every public host, localhost included
        });
        configure?.Invoke(builder);

        var app = builder.Build();
        // First, so that throttling, audit records and logs see the client behind a configured proxy.
        app.UseForwardedHeaders();
        app.UseWhen(context => Planes.Of(context) == Plane.Public, publicPlane => publicPlane.UseHsts());
        app.UseAccountPathNormalisation();
        app.UseRouting();
        app.UsePlaneSeparation();
        app.UseApiLog();
        app.UseApiErrors();
        app.UseContentTypeCheck();
        // After routing, so the account API's scheme sees the route's auth_id.
        app.UseAuthentication();
        app.UseAuthorization();
        app.MapContacto();
        map?.Invoke(app);
        return app;
    }

    static void ConfigureKestrel(KestrelServerOptions kestrel, IOptions<ListenerOptions> listenOptions, ServerCertificateStore certificates, BoundListeners bound)
    {
        var listen = listenOptions.Value;
        kestrel.AddServerHeader = false;
        kestrel.Limits.MaxRequestBodySize = listen.MaxRequestBodyBytes;
        bound.Public = Listen(kestrel, listen.Public, Plane.Public, certificates, listen);
        bound.Ops = Listen(kestrel, listen.Ops, Plane.Ops, certificates, listen);
    }

    static KestrelListenOptions Listen(KestrelServerOptions kestrel, string url, Plane plane, ServerCertificateStore certificates, ListenerOptions limits)
    {
        ListenerEndpoint.TryParse(url, out var endpoint, out _); // validated at start
        KestrelListenOptions? captured = null;
        void Configure(KestrelListenOptions listener)
        {
            captured ??= listener;
            listener.Protocols = HttpProtocols.Http1AndHttp2;
            // First, so that a source over its limit costs no TLS handshake.
            listener.Use(Planes.LimitPerSource(limits.MaxConnectionsPerSource, limits.IsKnownProxy));
            listener.Use(Planes.Stamp(plane));
            listener.UseHttps(new HttpsConnectionAdapterOptions
            {
                SslProtocols = TlsPolicy.Protocols,
                ServerCertificateSelector = (_, _) => certificates.Current,
                OnAuthenticate = (_, ssl) => TlsPolicy.Apply(ssl),
                HandshakeTimeout = TimeSpan.FromSeconds(10),
            });
        }
        if (endpoint.Address is null)
            kestrel.ListenLocalhost(endpoint.Port, Configure);
        else
            kestrel.Listen(new IPEndPoint(endpoint.Address, endpoint.Port), Configure);
        return captured!;
    }

    /// <summary>Builds, prepares storage, starts, prints the banner and runs until SIGTERM/SIGINT.</summary>
    public static async Task<int> RunAsync(string[] args, TextWriter output, TextWriter error)
    {
        WebApplication app;
        AccountService.Created? firstAccount;
        try
        {
            app = Build(args);
            firstAccount = await StartAsync(app, CancellationToken.None);
        }
        catch (Exception e) when (StartupFailure.Describe(e) is { } message)
        {
            await error.WriteLineAsync($"contacto: {message}");
            return 2;
        }
        await output.WriteLineAsync(Banner.Render(app, firstAccount));
        await app.WaitForShutdownAsync();
        await app.DisposeAsync();
        return 0;
    }

    /// <summary>
    /// Prepares storage and certificates, creates the first account on an empty database, then
    /// opens the listeners. Returns the first account's credentials when this start created it.
    /// </summary>
    public static async Task<AccountService.Created?> StartAsync(WebApplication app, CancellationToken cancellationToken)
    {
        await app.Services.GetRequiredService<StorageInitializer>().InitializeAsync(cancellationToken);
        _ = app.Services.GetRequiredService<ServerCertificateStore>().Current;
        var firstAccount = await app.Services.GetRequiredService<AccountService>().CreateFirstAccountAsync("Demo", cancellationToken);
        await app.StartAsync(cancellationToken);
        return firstAccount;
    }
}

/// <summary>The listeners as Kestrel bound them (ports resolved when 0 was asked for).</summary>
public sealed class BoundListeners
{
    internal KestrelListenOptions? Public { get; set; }
    internal KestrelListenOptions? Ops { get; set; }

    public int PublicPort => Port(Public);
    public int OpsPort => Port(Ops);

    static int Port(KestrelListenOptions? listener) =>
        listener?.EndPoint is IPEndPoint ip ? ip.Port : throw new InvalidOperationException("The server has not started");
}
