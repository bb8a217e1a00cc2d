using Contacto.Status;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace Contacto.Carriers;

/// <summary>
/// Carrier health on the status page: for each country a component follows
/// (<c>messaging:PT</c>) or a carrier names, operational while enough carriers are available,
/// degraded while traffic fails over to fewer than that, major outage when none is left. In
/// production a country configured with fewer than the minimum is degraded even when all its
/// carriers are up: it has no carrier to fail over to.
/// </summary>
public sealed class CarrierHealthSource(CarrierPool carriers, IOptions<StatusOptions> status, IHostEnvironment environment, TimeProvider time) : IComponentStatusSource
{
    static readonly string Prefix = MonitorSubjects.Messaging("");

    /// <summary>After start, carriers get this long to bind for the first time before one not up counts as down.</summary>
    static readonly TimeSpan StartupGrace = TimeSpan.FromSeconds(5);

    public ValueTask<IReadOnlyList<ComponentObservation>> ObserveAsync(CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        if (carriers.StartedAt is not { } started || now - started < StartupGrace && carriers.Routes.Any(r => !r.HasBeenUp))
            return ValueTask.FromResult<IReadOnlyList<ComponentObservation>>([]);
        var followed = status.Value.Groups.SelectMany(g => g.Components).SelectMany(c => c.Monitors)
            .Where(m => m.StartsWith(Prefix, StringComparison.Ordinal)).Select(m => m[Prefix.Length..]);
        var named = carriers.Routes.SelectMany(r => r.Countries).Where(c => c != "*");
        IReadOnlyList<ComponentObservation> observations =
        [
            .. followed.Concat(named).Distinct().Select(country => new ComponentObservation(MonitorSubjects.Messaging(country), Of(country, now))),
        ];
        return ValueTask.FromResult(observations);
    }

    ComponentStatus Of(string country, DateTimeOffset now)
    {
        var serving = carriers.Routes.Where(r => r.Serves(country)).ToList();
        var available = serving.Count(r => r.IsAvailable(now));
        if (available == 0)
            return ComponentStatus.MajorOutage;
        var minimum = carriers.Settings.MinimumPerCountry;
        var needed = environment.IsProduction() ? minimum : Math.Min(serving.Count, minimum);
        return available < needed ? ComponentStatus.DegradedPerformance : ComponentStatus.Operational;
    }
}
