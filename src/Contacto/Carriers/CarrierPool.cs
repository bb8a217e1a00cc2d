using System.Collections.Concurrent;
using System.Net.Security;
using Contacto.CarrierSim;
using Contacto.Smpp.Client;
using Contacto.Smpp.Protocol;
using Contacto.Smpp.Session;
using Contacto.Smpp.Text;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Primitives;

namespace Contacto.Carriers;

/// <summary>
/// The carriers of this node: connects their binds at start, routes a country to an available
/// carrier by weight, and passes their delivery receipts and mobile-originated messages on. With
/// the embedded default it first starts two simulated carriers in-process (<see cref="Simulators"/>).
/// A change of the <c>Carriers</c> section applies without a restart (<see cref="ApplyAsync"/>).
/// </summary>
public sealed class CarrierPool(
    IOptionsMonitor<CarriersOptions> options,
    ICarrierReceiptSink receipts,
    ICarrierMessageSink messages,
    CarrierMetrics metrics,
    TimeProvider time,
    IHostEnvironment environment,
    IConfiguration configuration,
    IEnumerable<IValidateOptions<CarriersOptions>> validators,
    ILoggerFactory loggers) : IHostedService, IAsyncDisposable
{
    public static readonly string[] SimulatedNames = ["sim-a", "sim-b"];

    readonly ILogger logger = loggers.CreateLogger<CarrierPool>();
    readonly ConcurrentDictionary<string, (SmscSimulator Simulator, CarrierOptions Carrier)> simulators = new(StringComparer.Ordinal);
    readonly SemaphoreSlim applying = new(1, 1);
    bool stopped;
    volatile IReadOnlyList<CarrierRoute> routes = [];
    IDisposable? watching;
    IDisposable? checking;

    /// <summary>The in-process simulated carriers by name (empty when real carriers are configured).</summary>
    public IReadOnlyDictionary<string, SmscSimulator> Simulators => simulators.ToDictionary(s => s.Key, s => s.Value.Simulator);

    public IReadOnlyList<CarrierRoute> Routes => routes;

    /// <summary>The key of <see cref="Coverage"/> for every country no carrier names.</summary>
    public const string EveryOtherCountry = "*";

    /// <summary>Configured carriers per country named in the section, and under <see cref="EveryOtherCountry"/>.</summary>
    public IReadOnlyDictionary<string, int> Coverage { get; private set; } = new Dictionary<string, int>();

    /// <summary>The section as last applied (a change that fails validation is not applied).</summary>
    public CarriersOptions Settings { get; private set; } = new();

    /// <summary>When the binds were started; null before.</summary>
    public DateTimeOffset? StartedAt { get; private set; }

    /// <summary>Raised after a configuration change has been applied and removed carriers drained.</summary>
    public event Action? Reconfigured;

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        await ApplyAsync(options.CurrentValue, cancellationToken);
        StartedAt = time.GetUtcNow();
        metrics.Observe(this);
        watching = options.OnChange(changed => _ = ReloadAsync(changed));
        checking = ChangeToken.OnChange(configuration.GetReloadToken, ReportRefusedChange);
    }

    /// <summary>
    /// A changed section that fails validation never reaches <see cref="ApplyAsync"/> (the options
    /// monitor refuses it), so the carriers keep their settings; this says why, by key.
    /// </summary>
    void ReportRefusedChange()
    {
        var changed = new CarriersOptions();
        try
        {
            configuration.GetSection(CarriersOptions.Section).Bind(changed, o => o.ErrorOnUnknownConfiguration = true);
        }
        catch (InvalidOperationException e)
        {
            logger.LogError("The changed Carriers section is refused, the carriers keep their settings: {Problems}", e.Message);
            return;
        }
        var problems = validators.Select(v => v.Validate(Options.DefaultName, changed)).Where(r => r.Failed).SelectMany(r => r.Failures ?? []).ToList();
        if (problems.Count > 0)
            logger.LogError("The changed Carriers section is refused, the carriers keep their settings: {Problems}", string.Join("; ", problems));
    }

    async Task ReloadAsync(CarriersOptions changed)
    {
        try
        {
            await ApplyAsync(changed, CancellationToken.None);
            Reconfigured?.Invoke();
        }
        catch (Exception e)
        {
            logger.LogError("Applying the changed Carriers configuration failed ({Error}); the carriers keep their previous settings where they were not changed yet", e.GetType().Name);
        }
    }

    /// <summary>
    /// Brings the carriers in line with <paramref name="settings"/>: new carriers bind; removed
    /// ones leave the routing at once and drain (submits in flight finish, later ones fail over to
    /// the remaining carriers, so no message is lost); a carrier whose connection settings changed
    /// binds anew and its old binds drain; weight and countries change in place.
    /// </summary>
    public async Task ApplyAsync(CarriersOptions settings, CancellationToken cancellationToken)
    {
        await applying.WaitAsync(cancellationToken);
        try
        {
            if (stopped)
                return; // a change that arrives while the server stops
            var current = routes.ToDictionary(r => r.Name, StringComparer.Ordinal);
            var next = new List<CarrierRoute>();
            var retired = new List<CarrierRoute>();
            foreach (var carrier in Wanted(settings))
            {
                if (!current.Remove(carrier.Name, out var route))
                {
                    next.Add(Open(carrier, settings));
                    if (StartedAt is not null)
                        logger.LogInformation("Carrier {Carrier} added: binding", carrier.Name);
                    continue;
                }
                var changes = CarrierOptions.Changes(route.Options, carrier);
                if (changes.Any(c => !CarrierOptions.RoutingOnly.Contains(c)))
                {
                    next.Add(Open(carrier, settings));
                    retired.Add(route);
                    logger.LogInformation("Carrier {Carrier} changed ({Settings}): binding anew, the old binds drain", carrier.Name, Describe(changes));
                    continue;
                }
                if (changes.Count > 0)
                    logger.LogInformation("Carrier {Carrier} changed ({Settings}): applied without rebinding", carrier.Name, Describe(changes));
                route.Reconfigure(carrier, settings);
                next.Add(route);
            }
            foreach (var removed in current.Values)
            {
                retired.Add(removed);
                logger.LogInformation("Carrier {Carrier} removed: it drains and takes no new messages", removed.Name);
            }
            (routes, Settings) = (next, settings);
            foreach (var route in next.Where(r => !r.Started))
                route.Start();
            ReportShortCountries(settings);
            await Task.WhenAll(retired.Select(DrainAsync));
        }
        finally
        {
            applying.Release();
        }
    }

    /// <summary>
    /// The configured carriers, and the simulated ones when wanted (started on first use). A
    /// change never starts them unless <c>Simulated</c> says so: a list emptied by mistake must
    /// not send real traffic to simulated carriers.
    /// </summary>
    List<CarrierOptions> Wanted(CarriersOptions settings)
    {
        var wanted = settings.List.ToList();
        if (settings.UseSimulated && (StartedAt is null || settings.Simulated == true || !simulators.IsEmpty))
            wanted.AddRange(SimulatedNames.Select(name => simulators.GetOrAdd(name, StartSimulator).Carrier));
        return wanted;
    }

    static string Describe(IEnumerable<string> changes) =>
        string.Join(", ", changes.Select(c => c is nameof(CarrierOptions.SystemId) or nameof(CarrierOptions.Password) ? "credentials" : c).Distinct());

    async Task DrainAsync(CarrierRoute route)
    {
        await route.Carrier.StopAsync();
        await route.Carrier.DisposeAsync();
        if (!routes.Any(r => r.Name == route.Name) && simulators.TryRemove(route.Name, out var simulated))
            await simulated.Simulator.DisposeAsync();
        logger.LogInformation("Carrier {Carrier}: old binds drained", route.Name);
    }

    /// <summary>
    /// An available carrier for the country, drawn by weight, skipping <paramref name="tried"/>;
    /// null when none is left.
    /// </summary>
    public CarrierRoute? Pick(string country, IReadOnlySet<string> tried)
    {
        var now = time.GetUtcNow();
        var candidates = routes.Where(r => r.Serves(country) && !tried.Contains(r.Name) && r.IsAvailable(now)).ToList();
        var total = candidates.Sum(r => r.EffectiveWeight(now));
        var draw = Random.Shared.NextDouble() * total;
        foreach (var route in candidates)
        {
            draw -= route.EffectiveWeight(now);
            if (draw < 0)
                return route;
        }
        return candidates.LastOrDefault();
    }

    /// <summary>True when some carrier, up or not, is configured for the country.</summary>
    public bool HasCarrierFor(string country) => routes.Any(r => r.Serves(country));

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        watching?.Dispose();
        checking?.Dispose();
        await applying.WaitAsync(cancellationToken);
        try
        {
            // A host may be stopped twice (an explicit stop, then disposal); the second has nothing to do.
            if (stopped)
                return;
            stopped = true;
            await Task.WhenAll(routes.Select(r => r.Carrier.StopAsync(cancellationToken)));
            foreach (var (simulator, _) in simulators.Values)
                await simulator.DisposeAsync();
            simulators.Clear();
        }
        finally
        {
            applying.Release();
        }
    }

    public async ValueTask DisposeAsync()
    {
        watching?.Dispose();
        checking?.Dispose();
        foreach (var route in routes)
            await route.Carrier.DisposeAsync();
        foreach (var (simulator, _) in simulators.Values)
            await simulator.DisposeAsync();
    }

    (SmscSimulator, CarrierOptions) StartSimulator(string name)
    {
        var simulator = new SmscSimulator(new SmscSimulatorOptions { SystemId = name }, time, loggers.CreateLogger<SmscSimulator>());
        simulator.Start();
        return (simulator, new CarrierOptions { Name = name, Host = "127.0.0.1", Port = simulator.Port, SystemId = "contacto", Password = "sim" });
    }

    CarrierRoute Open(CarrierOptions carrier, CarriersOptions settings)
    {
        var route = new CarrierRoute(Connect(carrier), carrier, settings);
        route.Carrier.HealthChanged += health => OnHealthChanged(route, health);
        return route;
    }

    SmppCarrier Connect(CarrierOptions carrier)
    {
        var binds = Enumerable.Range(1, carrier.Binds).Select(i => new SmppBindOptions
        {
            Name = $"{carrier.Name}#{i}",
            Host = carrier.Host,
            Port = carrier.Port,
            SystemId = carrier.SystemId,
            Password = carrier.Password,
            Mode = BindMode.Transceiver,
            TransactionsPerSecond = carrier.TransactionsPerSecond,
            Tls = carrier.Tls ? new SslClientAuthenticationOptions { TargetHost = carrier.Host } : null,
            Connection = new SmppConnectionOptions
            {
                Name = $"{carrier.Name}#{i}",
                WindowSize = carrier.Window,
                ResponseTimeout = TimeSpan.FromMilliseconds(carrier.ResponseTimeoutMilliseconds),
            },
        }).ToList();
        var profile = new TextProfile
        {
            SmscDefaultAlphabet = Enum.Parse<SmsAlphabet>(carrier.DefaultAlphabet),
            Concatenation = carrier.Concatenation switch
            {
                "Udh16" => ConcatenationMode.Udh16BitReference,
                "Sar" => ConcatenationMode.SarTlvs,
                _ => ConcatenationMode.Udh8BitReference,
            },
        };
        SmppCarrier? connected = null;
        connected = new SmppCarrier(new SmppCarrierOptions { Name = carrier.Name, Binds = binds, Text = profile },
            async (inbound, ct) =>
            {
                if (inbound.Receipt is { } receipt)
                    await receipts.AcceptAsync(carrier.Name, connected!.KeyOf(receipt), receipt, ct);
                else
                    await messages.AcceptAsync(carrier.Name, inbound, ct);
            }, time, loggers.CreateLogger<SmppCarrier>());
        return connected;
    }

    void OnHealthChanged(CarrierRoute route, BindHealth health)
    {
        metrics.BindStateChanged(route.Name, health);
        route.HasBeenUp |= health.IsUp;
        // Binding and stopping are the normal course (start, reload, shutdown); only a bind that went down warns.
        if (health.State == BindState.Down)
            logger.LogWarning("Carrier {Carrier} bind {Bind} is down ({Reason})", route.Name, health.Name,
                health.LastCloseReason?.ToString() ?? health.LastError ?? "no reason given");
        else
            logger.LogInformation("Carrier {Carrier} bind {Bind} is {State}", route.Name, health.Name, health.IsUp ? "up" : health.State.ToString().ToLowerInvariant());
    }

    /// <summary>
    /// Counts the configured carriers of each country named in the section (and, under "*", of
    /// every other country) and names those with fewer than <c>MinimumPerCountry</c>: not routable
    /// in production, so a warning there (at start and after each change), information elsewhere.
    /// </summary>
    void ReportShortCountries(CarriersOptions settings)
    {
        var named = routes.SelectMany(r => r.Countries).Where(c => c != EveryOtherCountry).Distinct().Order();
        Coverage = named.Append(EveryOtherCountry).ToDictionary(c => c, c => routes.Count(r => c == EveryOtherCountry ? r.ServesEveryCountry : r.Serves(c)));
        var shortOnes = Coverage.Where(c => c.Value < settings.MinimumPerCountry)
            .Select(c => $"{(c.Key == EveryOtherCountry ? "every other country" : c.Key)} ({c.Value})").ToList();
        if (shortOnes.Count == 0)
            return;
        logger.Log(environment.IsProduction() ? LogLevel.Warning : LogLevel.Information,
            "Not routable in production, fewer than {Minimum} carriers configured: {Countries}", settings.MinimumPerCountry, string.Join(", ", shortOnes));
    }
}
