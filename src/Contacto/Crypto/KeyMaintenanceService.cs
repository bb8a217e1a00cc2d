using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Contacto.Crypto;

/// <summary>Opens the KEK provider at start (bad key material stops the process) and carries out
/// crypto-shreddings once their waiting period is over.</summary>
internal sealed partial class KeyMaintenanceService(
    IKekProvider kek,
    ITenantKeyAdministration keys,
    TimeProvider time,
    IOptions<CryptoOptions> options,
    ILogger<KeyMaintenanceService> logger) : BackgroundService
{
    public override Task StartAsync(CancellationToken cancellationToken)
    {
        LogKekReady(logger, kek.GetType().Name, kek.CurrentVersion);
        return base.StartAsync(cancellationToken);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.Value.ShreddingCheckInterval, time);
        do
        {
            try
            {
                var destroyed = await keys.ShredDueAsync(stoppingToken);
                if (destroyed > 0)
                {
                    LogShredded(logger, destroyed);
                }
            }
            catch (Exception exception) when (exception is not OperationCanceledException)
            {
                LogShreddingFailed(logger, exception);
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken));
    }

    [LoggerMessage(EventId = 402, Level = LogLevel.Information, Message = "KEK provider {Provider} ready at KEK version {KekVersion}")]
    private static partial void LogKekReady(ILogger logger, string provider, int kekVersion);

    [LoggerMessage(EventId = 403, Level = LogLevel.Warning, Message = "Destroyed the keys of {Count} account(s) whose shredding was due")]
    private static partial void LogShredded(ILogger logger, int count);

    [LoggerMessage(EventId = 404, Level = LogLevel.Error, Message = "Carrying out due key shreddings failed; retrying at the next check")]
    private static partial void LogShreddingFailed(ILogger logger, Exception exception);
}
