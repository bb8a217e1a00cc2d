namespace Contacto.Tenancy;

/// <summary>
/// A customer row. The data layer shows it only to its own account and refuses to save it for
/// another; implementing this interface is all an entity needs to join tenant separation.
/// </summary>
internal interface ITenantOwned
{
    Guid AccountId { get; }
}

/// <summary>An attempt to write a row that belongs to another account. A bug, never a user error.</summary>
internal sealed class TenantViolationException(string entity) : InvalidOperationException($"A {entity} row of another account was about to be saved");
