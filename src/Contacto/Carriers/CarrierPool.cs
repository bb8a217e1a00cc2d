using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Primitives;

namespace Contacto.Carriers;

/// <summary>
/// The carriers of this node: opens their connections through their protocol at start, keeps the
/// list the router draws from, and applies a change of the <c>Carriers</c> section without a
/// restart (<see cref="ApplyAsync"/>). With the embedded default it takes the host's simulated
/// carriers (<see cref="IEmbeddedCarriers"/>).
/// </summary>
internal sealed partial class CarrierPool(
    IOptionsMonitor<CarriersOptions> options,
    IEnumerable<ICarrierProtocol> protocols,
    ICarrierReceiptSink receipts,
    ICarrierMessageSink messages,
    ICarrierCallSink calls,
    CarrierMetrics metrics,
    TimeProvider time,
    IHostEnvironment environment,
    IConfiguration configuration,
    IEnumerable<IValidateOptions<CarriersOptions>> validators,
    ILogger<CarrierPool> logger,
    IEmbeddedCarriers? embedded = null) : IHostedService
{
    /// <summary>The key of <see cref="Coverage"/> for every country no carrier names.</summary>
    public const string EveryOtherCountry = "*";

    readonly SemaphoreSlim applying = new(1, 1);
    readonly CarrierSinks sinks = new(receipts, messages, calls);
    bool stopped;
    bool simulating;
    volatile IReadOnlyList<Carrier> carriers = [];
    IDisposable? watching;
    IDisposable? checking;

    public IReadOnlyList<Carrier> Carriers => carriers;

    /// <summary>Configured carriers per product, then per country named in the section and under <see cref="EveryOtherCountry"/>.</summary>
    public IReadOnlyDictionary<string, IReadOnlyDictionary<string, int>> Coverage { get; private set; } = new Dictionary<string, IReadOnlyDictionary<string, int>>();

    /// <summary>The section as last applied (a change that fails validation is not applied).</summary>
    public CarriersOptions Settings { get; private set; } = new();

    /// <summary>When the connections were started; null before.</summary>
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
            LogChangeRefused(e.Message);
            return;
        }
        var problems = validators.Select(v => v.Validate(Options.DefaultName, changed)).Where(r => r.Failed).SelectMany(r => r.Failures ?? []).ToList();
        if (problems.Count > 0)
            LogChangeRefused(string.Join("; ", problems));
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
            LogChangeFailed(e.GetType().Name);
        }
    }

    /// <summary>
    /// Brings the carriers in line with <paramref name="settings"/>: new carriers connect; removed
    /// ones leave the routing at once and drain (requests in flight finish, later ones fail over
    /// to the remaining carriers, so nothing is lost); a carrier whose connection settings changed
    /// connects anew and its old connection drains; routing settings change in place.
    /// </summary>
    public async Task ApplyAsync(CarriersOptions settings, CancellationToken cancellationToken)
    {
        await applying.WaitAsync(cancellationToken);
        try
        {
            if (stopped)
                return; // a change that arrives while the server stops
            var current = carriers.ToDictionary(c => c.Name, StringComparer.Ordinal);
            var next = new List<Carrier>();
            var retired = new List<Carrier>();
            foreach (var wanted in Wanted(settings))
            {
                if (!current.Remove(wanted.Name, out var carrier))
                {
                    next.Add(Open(wanted, settings));
                    if (StartedAt is not null)
                        LogAdded(wanted.Name);
                    continue;
                }
                var changes = CarrierOptions.Changes(carrier.Options, wanted);
                if (changes.Any(c => !CarrierOptions.RoutingOnly.Contains(c)))
                {
                    next.Add(Open(wanted, settings));
                    retired.Add(carrier);
                    LogReconnecting(wanted.Name, Describe(changes));
                    continue;
                }
                if (changes.Count > 0)
                    LogChangedInPlace(wanted.Name, Describe(changes));
                carrier.Reconfigure(wanted, settings);
                next.Add(carrier);
            }
            foreach (var removed in current.Values)
            {
                retired.Add(removed);
                LogRemoved(removed.Name);
            }
            (carriers, Settings) = (next, settings);
            foreach (var carrier in next.Where(c => !c.Started))
            {
                if (!carrier.Options.UsesTls)
                    LogWithoutTls(carrier.Name);
                carrier.Start();
            }
            ReportShortCountries(settings);
            await Task.WhenAll(retired.Select(DrainAsync));
        }
        finally
        {
            applying.Release();
        }
    }

    /// <summary>
    /// The configured carriers, and the embedded ones when wanted. A change never turns these on
    /// unless it says <c>Simulated</c>: a list emptied by mistake must not send real traffic to
    /// simulated carriers.
    /// </summary>
    List<CarrierOptions> Wanted(CarriersOptions settings)
    {
        var wanted = settings.List.ToList();
        simulating = settings.UseSimulated && (StartedAt is null || settings.Simulated == true || simulating);
        if (!simulating)
            return wanted;
        if (embedded is null)
            LogNoEmbeddedCarriers();
        else
            wanted.AddRange(embedded.Start(settings.SimulatedVoice));
        return wanted;
    }

    static string Describe(IEnumerable<string> changes) =>
        string.Join(", ", changes.Select(c => c.EndsWith(":SystemId", StringComparison.Ordinal) || c.EndsWith(":Password", StringComparison.Ordinal)
            ? "credentials" : c).Distinct());

    async Task DrainAsync(Carrier carrier)
    {
        await carrier.Connection.StopAsync();
        if (embedded is not null && !carriers.Any(c => c.Name == carrier.Name))
            await embedded.StopAsync(carrier.Name);
        LogDrained(carrier.Name);
    }

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
            await Task.WhenAll(carriers.Select(c => c.Connection.StopAsync(cancellationToken)));
        }
        finally
        {
            applying.Release();
        }
    }

    Carrier Open(CarrierOptions wanted, CarriersOptions settings)
    {
        var protocol = protocols.Single(p => p.Name == wanted.Protocol); // validated
        var carrier = new Carrier(protocol.Open(wanted, sinks), wanted, protocol.Products, settings);
        carrier.Connection.LinkChanged += link => OnLinkChanged(carrier, link);
        return carrier;
    }

    void OnLinkChanged(Carrier carrier, LinkHealth link)
    {
        metrics.LinkChanged(carrier.Name, link);
        carrier.HasBeenUp |= link.IsUp;
        // Connecting and stopping are the normal course (start, reload, shutdown); only a link that went down warns.
        if (link.Problem is { } problem)
            LogLinkDown(carrier.Name, link.Name, problem);
        else
            LogLinkState(carrier.Name, link.Name, link.State);
    }

    /// <summary>
    /// Counts the configured carriers of each product and country named in the section (and,
    /// under "*", of every other country) and names those with fewer than <c>MinimumPerCountry</c>:
    /// not routable in production, so a warning there (at start and after each change),
    /// information elsewhere.
    /// </summary>
    void ReportShortCountries(CarriersOptions settings)
    {
        var named = carriers.SelectMany(c => c.Countries).Where(c => c != EveryOtherCountry).Distinct().Order().Append(EveryOtherCountry).ToList();
        Coverage = carriers.SelectMany(c => c.Products).Distinct().Order().ToDictionary(product => product, IReadOnlyDictionary<string, int> (product) =>
            named.ToDictionary(country => country, country => carriers.Count(c => c.Products.Contains(product)
                && (country == EveryOtherCountry ? c.ServesEveryCountry : c.Serves(country)))));
        foreach (var (product, countries) in Coverage)
        {
            var shortOnes = countries.Where(c => c.Value < settings.MinimumPerCountry)
                .Select(c => $"{(c.Key == EveryOtherCountry ? "every other country" : c.Key)} ({c.Value})").ToList();
            if (shortOnes.Count > 0)
                LogShortCountries(environment.IsProduction() ? LogLevel.Warning : LogLevel.Information, settings.MinimumPerCountry, product, string.Join(", ", shortOnes));
        }
    }

    [LoggerMessage(EventId = 1001, Level = LogLevel.Error, Message = "The changed Carriers section is refused, the carriers keep their settings: {Problems}")]
    partial void LogChangeRefused(string problems);

    [LoggerMessage(EventId = 1002, Level = LogLevel.Error, Message = "Applying the changed Carriers configuration failed ({Error}); the carriers keep their previous settings where they were not changed yet")]
    partial void LogChangeFailed(string error);

    [LoggerMessage(EventId = 1003, Level = LogLevel.Information, Message = "Carrier {Carrier} added: connecting")]
    partial void LogAdded(string carrier);

    [LoggerMessage(EventId = 1004, Level = LogLevel.Information, Message = "Carrier {Carrier} changed ({Settings}): connecting anew, the old connection drains")]
    partial void LogReconnecting(string carrier, string settings);

    [LoggerMessage(EventId = 1005, Level = LogLevel.Information, Message = "Carrier {Carrier} changed ({Settings}): applied without connecting again")]
    partial void LogChangedInPlace(string carrier, string settings);

    [LoggerMessage(EventId = 1006, Level = LogLevel.Information, Message = "Carrier {Carrier} removed: it drains and takes no new traffic")]
    partial void LogRemoved(string carrier);

    [LoggerMessage(EventId = 1007, Level = LogLevel.Information, Message = "Carrier {Carrier}: old connection drained")]
    partial void LogDrained(string carrier);

    [LoggerMessage(EventId = 1008, Level = LogLevel.Warning, Message = "Carrier {Carrier} link {Link} is down ({Reason})")]
    partial void LogLinkDown(string carrier, string link, string reason);

    [LoggerMessage(EventId = 1009, Level = LogLevel.Information, Message = "Carrier {Carrier} link {Link} is {State}")]
    partial void LogLinkState(string carrier, string link, string state);

    [LoggerMessage(EventId = 1010, Message = "Not routable in production, fewer than {Minimum} {Product} carriers configured: {Countries}")]
    partial void LogShortCountries(LogLevel level, int minimum, string product, string countries);

    [LoggerMessage(EventId = 1012, Level = LogLevel.Warning, Message = "Carrier {Carrier} connects without TLS (Tls is false): its traffic and credentials cross the network in clear")]
    partial void LogWithoutTls(string carrier);

    [LoggerMessage(EventId = 1011, Level = LogLevel.Warning, Message = "Simulated carriers are wanted but this host has none: configure Carriers:List")]
    partial void LogNoEmbeddedCarriers();
}

/// <summary>
/// Carriers the host runs itself (simulated ones, for the embedded default and tests), used when
/// <see cref="CarriersOptions.UseSimulated"/>. The platform knows them only by their settings.
/// </summary>
public interface IEmbeddedCarriers
{
    /// <summary>Starts them (the voice ones only when <paramref name="voice"/>) when not running yet; their settings, as configured carriers' would be.</summary>
    IReadOnlyList<CarrierOptions> Start(bool voice);

    /// <summary>A carrier the configuration no longer uses, drained: stop it if it is one of these.</summary>
    ValueTask StopAsync(string name);
}
