using Contacto.Storage;
using Microsoft.EntityFrameworkCore;

namespace Contacto.Accounts;

/// <summary>For a capability that gives an account something: is the account still there, and will it stay until the gift is stored.</summary>
public sealed class LiveAccounts
{
    /// <summary>
    /// True when the account exists and is not deleted, read in the caller's transaction. On
    /// PostgreSQL the row stays share-locked until that transaction ends, so the account cannot be
    /// deleted meanwhile (SQLite runs one writing transaction at a time).
    /// </summary>
    public async Task<bool> HoldAsync(ContactoDbContext db, Guid accountId, CancellationToken cancellationToken)
    {
        if (!db.Database.IsNpgsql())
            return await db.Set<Account>().AnyAsync(a => a.Id == accountId && a.DeletedAt == null, cancellationToken);
        var held = await db.Database.SqlQuery<int>(
            $"""SELECT 1 AS "Value" FROM accounts WHERE "Id" = {accountId} AND "DeletedAt" IS NULL FOR SHARE""").ToListAsync(cancellationToken);
        return held.Count > 0;
    }
}
