using Contacto.Storage;
using Microsoft.EntityFrameworkCore;

namespace Contacto.Applications;

/// <summary>Applications as other capabilities look them up, in the database context they pass (scoped to an account or not).</summary>
internal static class ApplicationLookup
{
    public static Task<bool> ExistsAsync(ContactoDbContext db, string appId, CancellationToken cancellationToken) =>
        db.Set<Application>().AnyAsync(a => a.AppId == appId, cancellationToken);

    public static Task<Application?> FindAsync(ContactoDbContext db, Guid accountId, string appId, CancellationToken cancellationToken) =>
        db.Set<Application>().AsNoTracking().SingleOrDefaultAsync(a => a.AccountId == accountId && a.AppId == appId, cancellationToken);
}
