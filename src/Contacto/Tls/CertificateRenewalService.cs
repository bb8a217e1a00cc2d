using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Contacto.Tls;

/// <summary>Checks hourly whether the generated server certificate is due for renewal.</summary>
sealed partial class CertificateRenewalService(ServerCertificateStore store, TimeProvider time, ILogger<CertificateRenewalService> logger) : BackgroundService
{
    static readonly TimeSpan Interval = TimeSpan.FromHours(1);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(Interval, time);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            try
            {
                store.RenewIfDue();
            }
            catch (Exception e)
            {
                // Keep serving the current certificate and try again next hour.
                LogRenewalFailed(e);
            }
        }
    }

    [LoggerMessage(EventId = 301, Level = LogLevel.Error, Message = "Server certificate renewal failed")]
    partial void LogRenewalFailed(Exception error);
}
