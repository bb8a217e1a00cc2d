namespace Contacto.Status;

/// <summary>
/// What a monitor saw about one subject: <c>storage</c>, <c>api</c>, or a carrier monitor's
/// <c>messaging:PT</c>. Components follow subjects by name (<c>Status:Groups:..:Monitors</c>), so a
/// monitor needs to know nothing of the page.
/// </summary>
internal sealed record ComponentObservation(string Subject, ComponentStatus Status);

/// <summary>
/// A monitor that sets component statuses. Each tick of <see cref="ComponentMonitor"/> asks every
/// registered source for its current view; a subject nobody reports on counts as operational. The
/// carrier health monitor joins by registering one more implementation.
/// </summary>
internal interface IComponentStatusSource
{
    ValueTask<IReadOnlyList<ComponentObservation>> ObserveAsync(CancellationToken cancellationToken);
}

internal static class MonitorSubjects
{
    public const string Storage = "storage";
    public const string Api = "api";

    /// <summary>The subject a carrier health monitor reports for one country (ISO 3166 alpha-2).</summary>
    public static string Messaging(string country) => $"messaging:{country.ToUpperInvariant()}";

    /// <summary>The subject of voice carrier (SIP trunk) health for one country.</summary>
    public static string Voice(string country) => $"voice:{country.ToUpperInvariant()}";
}
