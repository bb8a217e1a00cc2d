namespace Contacto.Tenancy;

/// <summary>
/// The account a request acts for, set once by authentication. Tenant-scoped database contexts
/// read it; a request that never authenticated cannot get one.
/// </summary>
internal sealed class TenantContext
{
    Guid? accountId;

    public Guid AccountId => accountId ?? throw new InvalidOperationException("No account is authenticated in this scope");

    public bool IsSet => accountId is not null;

    public void Set(Guid account)
    {
        if (accountId is not null && accountId != account)
            throw new InvalidOperationException("The scope already acts for another account");
        accountId = account;
    }
}
