using System.Collections.Concurrent;
using System.Net.Http.Headers;
using Contacto.Carriers;
using Contacto.Status.Incidents.Paging;
using Contacto.Operations;
using Contacto.Status;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;

namespace Contacto.Testing;

/// <summary>
/// The real server with a status page of four groups (platform, messaging per country, points of
/// presence), a staff client holding an operator token, and, when asked, a fake clock. Carrier
/// health is a fake the test sets, unless <c>realCarrierHealth</c> keeps the simulated carriers' own.
/// </summary>
internal sealed class StatusServer : IAsyncDisposable
{
    public static readonly string[] Components =
    [
        "--Status:Groups:0:Id", "platform", "--Status:Groups:0:Name", "Platform",
        "--Status:Groups:0:Components:0:Id", "api", "--Status:Groups:0:Components:0:Name", "REST API",
        "--Status:Groups:0:Components:0:Monitors:0", "api", "--Status:Groups:0:Components:0:Monitors:1", "storage",
        "--Status:Groups:0:Components:1:Id", "console", "--Status:Groups:0:Components:1:Name", "Console",
        "--Status:Groups:1:Id", "messaging", "--Status:Groups:1:Name", "Messaging",
        "--Status:Groups:1:Components:0:Id", "sms-pt", "--Status:Groups:1:Components:0:Name", "SMS Portugal",
        "--Status:Groups:1:Components:0:Monitors:0", "messaging:PT",
        "--Status:Groups:1:Components:1:Id", "sms-es", "--Status:Groups:1:Components:1:Name", "SMS Spain",
        "--Status:Groups:1:Components:1:Monitors:0", "messaging:ES",
        "--Status:Groups:2:Id", "pops", "--Status:Groups:2:Name", "Points of presence",
        "--Status:Groups:2:Components:0:Id", "pop-lis", "--Status:Groups:2:Components:0:Name", "Lisbon",
        "--Status:Groups:2:Components:0:Monitors:0", "pop:lis", "--Status:Groups:2:Components:0:OutagePriority", "2",
        "--Status:Groups:2:Components:1:Id", "pop-fra", "--Status:Groups:2:Components:1:Name", "Frankfurt",
        "--Status:Groups:2:Components:1:Monitors:0", "pop:fra", "--Status:Groups:2:Components:1:OutagePriority", "2",
        "--Status:Monitors:OpenIncidentAfterSeconds", "300",
    ];

    public static readonly string[] AllowLoopback = ["--Webhooks:AllowedNetworks:0", "127.0.0.0/8"];

    StatusServer(RunningServer server, string token, FakeTimeProvider? time, FakeComponentSource source)
    {
        Server = server;
        Time = time;
        Source = source;
        OperatorToken = token;
        Staff = CaTrust.Client(server.CaPath, server.OpsPort, "127.0.0.1");
        Staff.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
    }

    public RunningServer Server { get; }
    public FakeTimeProvider? Time { get; }
    public FakeComponentSource Source { get; }
    public string OperatorToken { get; }

    /// <summary>The ops plane, with the operator token.</summary>
    public HttpClient Staff { get; }
    public HttpClient Public => Server.Public;
    public ComponentMonitor Monitor => Server.Services.GetRequiredService<ComponentMonitor>();
    public PageDispatcher Dispatcher => Server.Services.GetRequiredService<PageDispatcher>();
    public Pager Pager => Server.Services.GetRequiredService<Pager>();

    public static async Task<StatusServer> StartAsync(TestStorage storage, string[]? extraArguments = null, FakeTimeProvider? time = null,
        FakeComponentSource? source = null, ILoggerProvider? logs = null, bool realCarrierHealth = false)
    {
        source ??= new FakeComponentSource();
        // The fake receivers listen on loopback: allowed as the webhook tests allow it (a later argument may replace it).
        var server = await RunningServer.StartAsync(storage, [.. Components, .. AllowLoopback, .. time is null ? [] : RunningServer.OnAFakeClock, .. extraArguments ?? []], builder =>
        {
            if (time is not null)
                builder.Services.AddSingleton<TimeProvider>(time);
            if (logs is not null)
                builder.Logging.AddProvider(logs);
            // The fake stands in for carrier health, so statuses follow the test alone.
            if (!realCarrierHealth)
                foreach (var carrierHealth in builder.Services.Where(d => d.ImplementationType == typeof(CarrierHealthSource)).ToList())
                    builder.Services.Remove(carrierHealth);
            builder.Services.AddSingleton<IComponentStatusSource>(source);
            // Paging targets are https only: the platform's own paging client, trusting the fake receivers' certificate too.
            builder.Services.AddHttpClient(HttpDelivery.ClientName).ConfigurePrimaryHttpMessageHandler((handler, _) =>
                LoopbackCertificate.Trust((SocketsHttpHandler)handler, LoopbackCertificate.Receivers));
        });
        var (_, token) = await server.Services.GetRequiredService<OperatorTokenService>().CreateAsync("tests", CancellationToken.None);
        return new StatusServer(server, token, time, source);
    }

    public async ValueTask DisposeAsync()
    {
        Staff.Dispose();
        await Server.DisposeAsync();
    }
}

/// <summary>Stands in for a monitor the platform does not have yet, such as carrier health per country.</summary>
internal sealed class FakeComponentSource : IComponentStatusSource
{
    readonly ConcurrentDictionary<string, ComponentStatus> subjects = new();

    public void Set(string subject, ComponentStatus status) => subjects[subject] = status;

    public ValueTask<IReadOnlyList<ComponentObservation>> ObserveAsync(CancellationToken cancellationToken) =>
        ValueTask.FromResult<IReadOnlyList<ComponentObservation>>([.. subjects.Select(s => new ComponentObservation(s.Key, s.Value))]);
}

/// <summary>Every log line the server writes, formatted as its sinks would see it.</summary>
public sealed class RecordedLogs : ILoggerProvider
{
    readonly ConcurrentQueue<string> lines = new();

    public IReadOnlyCollection<string> Lines => lines;

    public ILogger CreateLogger(string categoryName) => new Recorder(categoryName, lines);

    public void Dispose()
    {
    }

    sealed class Recorder(string category, ConcurrentQueue<string> lines) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            lines.Enqueue($"{logLevel} {category}: {formatter(state, exception)} {exception}");
    }
}
