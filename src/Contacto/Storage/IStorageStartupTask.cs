namespace Contacto.Storage;

/// <summary>
/// Work a capability needs done once the schema is current and before anything is served, for
/// example creating a key that must not be created later inside someone else's transaction.
/// Runs at server start and after <c>contacto db migrate</c>.
/// </summary>
public interface IStorageStartupTask
{
    Task RunAsync(CancellationToken cancellationToken);
}
