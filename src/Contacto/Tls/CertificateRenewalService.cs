using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Contacto.Tls;

/// <summary>Checks hourly whether the generated server certificate is due for renewal.</summary>
sealed class CertificateRenewalService(ServerCertificateStore store, TimeProvider time, ILogger<CertificateRenewalService> logger) : BackgroundService
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
                logger.LogError(e, "Server certificate renewal failed");
            }
        }
    }
}
