using Contacto.Status;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace Contacto.Carriers;

/// <summary>
/// Carrier health on the status page: for each country a component follows (<c>messaging:PT</c>
/// for SMS, <c>voice:PT</c> for SIP trunks) or a carrier names, operational while enough carriers are available, degraded while
/// traffic fails over to fewer than that, major outage when none is left. In production a country
/// configured with fewer than the minimum is degraded even when all its carriers are up: it has
/// no carrier to fail over to.
/// </summary>
internal sealed class CarrierHealthSource(CarrierPool pool, ICarrierAvailabilityPolicy availability, IOptions<StatusOptions> status,
    IHostEnvironment environment, TimeProvider time) : IComponentStatusSource
{
    /// <summary>The monitor subject of each product's health in a country.</summary>
    static readonly IReadOnlyDictionary<string, Func<string, string>> Subjects = new Dictionary<string, Func<string, string>>
    {
        [CarrierProducts.Sms] = MonitorSubjects.Messaging,
        [CarrierProducts.Voice] = MonitorSubjects.Voice,
    };

    /// <summary>After start, carriers get this long to connect for the first time before one not up counts as down.</summary>
    static readonly TimeSpan StartupGrace = TimeSpan.FromSeconds(5);

    public ValueTask<IReadOnlyList<ComponentObservation>> ObserveAsync(CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        if (pool.StartedAt is not { } started || now - started < StartupGrace && pool.Carriers.Any(c => !c.HasBeenUp))
            return ValueTask.FromResult<IReadOnlyList<ComponentObservation>>([]);
        var monitors = status.Value.Groups.SelectMany(g => g.Components).SelectMany(c => c.Monitors).ToList();
        var observations = new List<ComponentObservation>();
        foreach (var (product, subject) in Subjects)
        {
            var prefix = subject("");
            var followed = monitors.Where(m => m.StartsWith(prefix, StringComparison.Ordinal)).Select(m => m[prefix.Length..]);
            var named = pool.Carriers.Where(c => c.Products.Contains(product)).SelectMany(c => c.Countries).Where(c => c != CarrierPool.EveryOtherCountry);
            observations.AddRange(followed.Concat(named).Distinct().Select(country => new ComponentObservation(subject(country), Of(country, product, now))));
        }
        return ValueTask.FromResult<IReadOnlyList<ComponentObservation>>(observations);
    }

    ComponentStatus Of(string country, string product, DateTimeOffset now)
    {
        var serving = pool.Carriers.Where(c => c.Serves(country, product)).ToList();
        var available = serving.Count(c => availability.IsAvailable(c, now));
        if (available == 0)
            return ComponentStatus.MajorOutage;
        var minimum = pool.Settings.MinimumPerCountry;
        var needed = environment.IsProduction() ? minimum : Math.Min(serving.Count, minimum);
        return available < needed ? ComponentStatus.DegradedPerformance : ComponentStatus.Operational;
    }
}
