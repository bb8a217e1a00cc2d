using Contacto.Crypto;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Contacto.Voice;

/// <summary>
/// The node's call worker: takes queued calls (any node's, as places free up), runs each with
/// <see cref="CallRunner"/>, renews the hold on the calls it runs, and closes the live calls of
/// nodes that stopped renewing theirs (their CDRs end with <c>Lost</c>). On shutdown the calls
/// it runs are hung up and closed.
/// </summary>
internal sealed partial class CallEngine(
    CallRecords records,
    CallRunner runner,
    LiveCalls live,
    CallSignal signal,
    ITenantCrypto crypto,
    IOptions<CallOptions> options,
    TimeProvider time,
    ILogger<CallEngine> logger) : BackgroundService
{
    readonly List<Task> running = [];

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var settings = options.Value;
        var lease = TimeSpan.FromSeconds(settings.LeaseSeconds);
        var renewEvery = lease / 3;
        var renewedAt = time.GetUtcNow();
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                running.RemoveAll(t => t.IsCompleted);
                var room = settings.MaxConcurrentCalls - live.Count;
                if (room > 0)
                    foreach (var call in await records.ClaimAsync(Math.Min(room, 64), lease, stoppingToken))
                        running.Add(runner.RunAsync(call, stoppingToken));
                if (time.GetUtcNow() - renewedAt >= renewEvery)
                {
                    await records.RenewAsync([.. live.Ids], lease, stoppingToken);
                    renewedAt = time.GetUtcNow();
                    await CloseOrphansAsync(stoppingToken);
                }
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                LogPassFailed(e);
            }
            await signal.WaitAsync(TimeSpan.FromMilliseconds(settings.PollMilliseconds), stoppingToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }
        await Task.WhenAll(running);
    }

    async Task CloseOrphansAsync(CancellationToken cancellationToken)
    {
        foreach (var call in await records.OrphanedAsync(64, cancellationToken))
        {
            if (live.Ids.Contains(call.Id))
                continue; // ours after all: renewed after this look
            var opened = await OpenedCall.OpenAsync(crypto, call, cancellationToken);
            if (await records.FinishAsync(opened, HangupCause.Lost, HangupSources.Plivo, cancellationToken))
                LogOrphanClosed(call.Id);
        }
    }

    [LoggerMessage(EventId = 2120, Level = LogLevel.Error, Message = "A pass of the call engine failed; it tries again")]
    partial void LogPassFailed(Exception exception);

    [LoggerMessage(EventId = 2121, Level = LogLevel.Warning, Message = "Call {CallId} was live on a node that stopped holding it; its CDR ends as lost")]
    partial void LogOrphanClosed(Guid callId);
}
