using Contacto.Storage;

namespace Contacto.Audit;

/// <summary>
/// Creates the audit key before anything is audited: later, links are appended inside callers'
/// transactions, and on SQLite a key created from inside one would wait on that very transaction.
/// </summary>
sealed class AuditKeyWarmup(AuditMac mac) : IStorageStartupTask
{
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        using var _ = await mac.LeaseAsync(cancellationToken);
    }
}
