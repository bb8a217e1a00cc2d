using Contacto.Storage;

namespace Contacto.Accounts;

/// <summary>
/// A capability that owns resources of a subaccount (numbers, applications, ...). When the
/// subaccount is deleted, it deletes them (<paramref name="cascade"/>) or moves them to the main
/// account, inside the deletion's transaction on <paramref name="db"/>.
/// </summary>
public interface ISubaccountDeletionHandler
{
    Task OnSubaccountDeletedAsync(ContactoDbContext db, Guid parentId, Guid subaccountId, bool cascade, CancellationToken cancellationToken);
}
