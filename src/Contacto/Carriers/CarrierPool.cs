using System.Net.Security;
using Contacto.CarrierSim;
using Contacto.Smpp.Client;
using Contacto.Smpp.Protocol;
using Contacto.Smpp.Session;
using Contacto.Smpp.Text;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Contacto.Carriers;

/// <summary>
/// The carriers of this node: connects their binds at start, routes a country to an available
/// carrier by weight, and passes their delivery receipts and mobile-originated messages on. With the embedded default it first
/// starts two simulated carriers in-process (<see cref="Simulators"/>).
/// </summary>
public sealed class CarrierPool(
    IOptions<CarriersOptions> options,
    ICarrierReceiptSink receipts,
    ICarrierMessageSink messages,
    CarrierMetrics metrics,
    TimeProvider time,
    ILoggerFactory loggers) : IHostedService, IAsyncDisposable
{
    public static readonly string[] SimulatedNames = ["sim-a", "sim-b"];

    readonly ILogger logger = loggers.CreateLogger<CarrierPool>();
    readonly Dictionary<string, SmscSimulator> simulators = new(StringComparer.Ordinal);
    IReadOnlyList<CarrierRoute> routes = [];

    /// <summary>The in-process simulated carriers by name (empty when real carriers are configured).</summary>
    public IReadOnlyDictionary<string, SmscSimulator> Simulators => simulators;

    public IReadOnlyList<CarrierRoute> Routes => routes;

    /// <summary>When the binds were started; null before.</summary>
    public DateTimeOffset? StartedAt { get; private set; }

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var settings = options.Value;
        var configured = settings.List.ToList();
        if (settings.UseSimulated)
            configured.AddRange(SimulatedNames.Select(StartSimulator));
        routes = [.. configured.Select(c => new CarrierRoute(Connect(c), c, settings))];
        foreach (var route in routes)
        {
            route.Carrier.HealthChanged += health => OnHealthChanged(route, health);
            route.Carrier.Start();
        }
        StartedAt = time.GetUtcNow();
        metrics.Observe(this);
        ReportShortCountries(settings);
        await Task.CompletedTask;
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
        await Task.WhenAll(routes.Select(r => r.Carrier.StopAsync(cancellationToken)));
        foreach (var simulator in simulators.Values)
            await simulator.DisposeAsync();
        simulators.Clear();
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var route in routes)
            await route.Carrier.DisposeAsync();
        foreach (var simulator in simulators.Values)
            await simulator.DisposeAsync();
    }

    CarrierOptions StartSimulator(string name)
    {
        var simulator = new SmscSimulator(new SmscSimulatorOptions { SystemId = name }, time, loggers.CreateLogger<SmscSimulator>());
        simulator.Start();
        simulators[name] = simulator;
        return new CarrierOptions { Name = name, Host = "127.0.0.1", Port = simulator.Port, SystemId = "contacto", Password = "sim" };
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
        if (health.IsUp)
            logger.LogInformation("Carrier {Carrier} bind {Bind} is up", route.Name, health.Name);
        else
            logger.LogWarning("Carrier {Carrier} bind {Bind} is {State} ({Reason})", route.Name, health.Name, health.State, health.LastCloseReason);
    }

    /// <summary>Names the countries with fewer carriers than the minimum, once at start.</summary>
    void ReportShortCountries(CarriersOptions settings)
    {
        var everywhere = routes.Count(r => r.ServesEveryCountry);
        var named = routes.SelectMany(r => r.Countries).Where(c => c != "*").Distinct().Order();
        var shortOnes = named.Where(c => routes.Count(r => r.Serves(c)) < settings.MinimumPerCountry).ToList();
        if (everywhere < settings.MinimumPerCountry)
            logger.LogWarning("Countries without a named carrier have {Count} carrier(s), fewer than the {Minimum} production needs", everywhere, settings.MinimumPerCountry);
        if (shortOnes.Count > 0)
            logger.LogWarning("Countries with fewer than {Minimum} carriers: {Countries}", settings.MinimumPerCountry, string.Join(", ", shortOnes));
    }
}
