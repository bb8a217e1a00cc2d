using Contacto.Status.Incidents;
using Contacto.Status.Incidents.Paging;
using Contacto.Storage;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Contacto.Status;

/// <summary>
/// Keeps the components true: every <c>Status:Monitors:IntervalSeconds</c> it asks each
/// <see cref="IComponentStatusSource"/>, derives each component's status, moves maintenance windows
/// along, opens or resolves outage incidents, and tells open pages about it. Staff changes run the
/// same reconciliation (<see cref="RefreshAsync"/>), so there is one place where statuses change.
/// </summary>
internal sealed partial class ComponentMonitor(
    IDbContextFactory<ContactoDbContext> contexts,
    IEnumerable<IComponentStatusSource> sources,
    StatusBoard board,
    IncidentService incidents,
    Pager pager,
    StatusPublisher publisher,
    IOptions<StatusOptions> options,
    TimeProvider time,
    ILogger<ComponentMonitor> logger) : BackgroundService
{
    readonly SemaphoreSlim oneAtATime = new(1, 1);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(options.Value.Monitors.IntervalSeconds), time);
        do
        {
            try
            {
                await TickAsync(stoppingToken);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                LogTickFailed(logger, e.GetType().Name);
            }
        } while (await timer.WaitForNextTickAsync(stoppingToken));
    }

    /// <summary>One monitoring round: observe, then reconcile.</summary>
    public async Task TickAsync(CancellationToken cancellationToken)
    {
        List<ComponentObservation>? observations = [];
        foreach (var source in sources)
        {
            try
            {
                observations.AddRange(await source.ObserveAsync(cancellationToken));
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                // A monitor that cannot tell would read as "operational": keep every monitored status as it was this round.
                LogSourceFailed(logger, source.GetType().Name, e.GetType().Name);
                observations = null;
                break;
            }
        }
        await ReconcileAsync(observations, null, cancellationToken);
    }

    /// <summary>Reconciles without asking the monitors, after a staff change.</summary>
    public Task RefreshAsync(CancellationToken cancellationToken) => ReconcileAsync(null, null, cancellationToken);

    /// <summary>Sets or (with null) clears a staff override; false when no such component is configured.</summary>
    public async Task<bool> OverrideAsync(string componentId, ComponentStatus? status, CancellationToken cancellationToken)
    {
        if (!options.Value.AllComponents.Any(c => c.Component.Id == componentId))
            return false;
        await ReconcileAsync(null, components =>
        {
            components[componentId].OverrideStatus = status;
            components[componentId].Version++;
        }, cancellationToken);
        return true;
    }

    const int ReconcileAttempts = 3;

    async Task ReconcileAsync(IReadOnlyList<ComponentObservation>? observations, Action<Dictionary<string, StatusComponent>>? change,
        CancellationToken cancellationToken)
    {
        await oneAtATime.WaitAsync(cancellationToken);
        try
        {
            for (var attempt = 1; ; attempt++)
            {
                try
                {
                    await ReconcileOnceAsync(observations, change, cancellationToken);
                    break;
                }
                catch (DbUpdateException e) when (attempt < ReconcileAttempts)
                {
                    // Another node changed the same rows first: read them again and apply the same view.
                    LogReconcileRace(logger, e.GetType().Name);
                }
            }
        }
        finally
        {
            oneAtATime.Release();
        }
        pager.Wake();
        await publisher.PublishAsync(cancellationToken);
    }

    async Task ReconcileOnceAsync(IReadOnlyList<ComponentObservation>? observations, Action<Dictionary<string, StatusComponent>>? change,
        CancellationToken cancellationToken)
    {
        await using var db = contexts.CreateDbContext();
        var components = await board.LoadAsync(db, cancellationToken);
        if (observations is not null)
            board.ApplyObservations(components, observations);
        change?.Invoke(components);
        var underMaintenance = await incidents.AdvanceMaintenanceAsync(db, cancellationToken);
        foreach (var component in components.Values)
            board.Recompute(db, component, underMaintenance.Contains(component.Id));
        await incidents.ApplyOutagePolicyAsync(db, components, cancellationToken);
        await db.SaveChangesAsync(cancellationToken);
    }

    [LoggerMessage(EventId = 5001, Level = LogLevel.Error, Message = "Status monitor tick failed ({Error})")]
    static partial void LogTickFailed(ILogger logger, string error);

    [LoggerMessage(EventId = 5002, Level = LogLevel.Error, Message = "Status source {Source} failed ({Error})")]
    static partial void LogSourceFailed(ILogger logger, string source, string error);

    [LoggerMessage(EventId = 5003, Level = LogLevel.Information, Message = "Status reconciliation lost a race ({Error}); retrying")]
    static partial void LogReconcileRace(ILogger logger, string error);
}
