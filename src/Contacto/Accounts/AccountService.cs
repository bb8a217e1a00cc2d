using System.Security.Cryptography;
using System.Text;
using Contacto.Audit;
using Contacto.Storage;
using Microsoft.EntityFrameworkCore;

namespace Contacto.Accounts;

/// <summary>
/// Creates, changes and verifies accounts. Uses system contexts: accounts are the tenants
/// themselves. Every change commits together with its audit record, or not at all.
/// </summary>
public sealed class AccountService(
    IDbContextFactory<ContactoDbContext> contexts,
    AccountFields fields,
    IEnumerable<ISubaccountDeletionHandler> deletionHandlers,
    Crypto.ITenantKeyAdministration keys,
    IAuditTrail audit,
    TimeProvider time)
{
    public static readonly TimeSpan MaxTokenGrace = TimeSpan.FromHours(24);

    public sealed record Created(Account Account, string AuthToken);

    /// <summary>Creates an account; it is recorded in the parent's chain for a subaccount, else in its own.</summary>
    public async Task<Created> CreateAsync(string name, Guid? parentId, bool enabled, AuditActor actor, string? requestId, CancellationToken cancellationToken)
    {
        await using var db = contexts.CreateDbContext();
        var (account, token) = await NewAccountAsync(name, parentId, enabled, cancellationToken);
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        db.Add(account);
        await audit.AppendAsync(db, new AuditEntry(parentId ?? account.Id, actor,
            parentId is null ? AuditActions.AccountCreated : AuditActions.SubaccountCreated, "account", account.AuthId, RequestId: requestId), cancellationToken);
        await db.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return new Created(account, token);
    }

    /// <summary>Creates the first account if, and only if, no node has done first-run work before.</summary>
    public async Task<Created?> CreateFirstAccountAsync(string name, CancellationToken cancellationToken)
    {
        await using var db = contexts.CreateDbContext();
        if (await db.Set<PlatformMarker>().AnyAsync(m => m.Name == FirstRunMarker, cancellationToken))
            return null;
        var (account, token) = await NewAccountAsync(name, null, true, cancellationToken);
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        db.Add(new PlatformMarker { Name = FirstRunMarker, CreatedAt = time.GetUtcNow() });
        db.Add(account);
        await audit.AppendAsync(db, new AuditEntry(account.Id, AuditActor.System, AuditActions.AccountCreated, "account", account.AuthId, Reason: "first run"), cancellationToken);
        try
        {
            await db.SaveChangesAsync(cancellationToken);
        }
        catch (DbUpdateException)
        {
            // Another node won the race for the marker; it printed the credentials.
            return null;
        }
        await transaction.CommitAsync(cancellationToken);
        return new Created(account, token);
    }

    const string FirstRunMarker = "first-account";

    async Task<(Account, string)> NewAccountAsync(string name, Guid? parentId, bool enabled, CancellationToken cancellationToken)
    {
        var token = Credentials.NewAuthToken();
        var id = Guid.CreateVersion7();
        var account = new Account
        {
            Id = id,
            AuthId = Credentials.NewAuthId(main: parentId is null),
            ParentId = parentId,
            Enabled = enabled,
            CreatedAt = time.GetUtcNow(),
            NameSealed = await fields.SealAsync(id, AccountFields.NamePurpose, name, cancellationToken),
            AuthTokenSealed = await fields.SealAsync(id, AccountFields.TokenPurpose, token, cancellationToken),
        };
        return (account, token);
    }

    public async Task<Account?> FindByIdAsync(Guid id, CancellationToken cancellationToken)
    {
        await using var db = contexts.CreateDbContext();
        return await db.Set<Account>().AsNoTracking().SingleOrDefaultAsync(a => a.Id == id && a.DeletedAt == null, cancellationToken);
    }

    /// <summary>True when the account is live and enabled (its parent aside).</summary>
    /// <summary>
    /// True when the account and, for a subaccount, its parent are enabled and live: disabling a
    /// customer closes every one of its accounts, console sessions included.
    /// </summary>
    public async Task<bool> IsActiveAsync(Guid id, CancellationToken cancellationToken)
    {
        await using var db = contexts.CreateDbContext();
        return await db.Set<Account>().AnyAsync(a => a.Id == id && a.Enabled && a.DeletedAt == null
            && (a.ParentId == null || db.Set<Account>().Any(p => p.Id == a.ParentId && p.Enabled && p.DeletedAt == null)), cancellationToken);
    }

    public async Task<Account?> FindAsync(string authId, CancellationToken cancellationToken)
    {
        await using var db = contexts.CreateDbContext();
        return await db.Set<Account>().AsNoTracking().SingleOrDefaultAsync(a => a.AuthId == authId && a.DeletedAt == null, cancellationToken);
    }

    /// <summary>True when <paramref name="presented"/> is the account's token, or its previous one within the grace period.</summary>
    public async Task<bool> VerifyTokenAsync(Account account, string presented, CancellationToken cancellationToken)
    {
        var candidate = Encoding.UTF8.GetBytes(presented);
        var matches = await MatchesAsync(account.Id, account.AuthTokenSealed, candidate, cancellationToken);
        if (account.PreviousAuthTokenSealed is { } previous && account.PreviousAuthTokenExpiresAt > time.GetUtcNow())
            matches |= await MatchesAsync(account.Id, previous, candidate, cancellationToken);
        return matches;
    }

    async Task<bool> MatchesAsync(Guid accountId, byte[] sealedToken, byte[] candidate, CancellationToken cancellationToken)
    {
        var stored = await fields.OpenTokenAsync(accountId, sealedToken, cancellationToken);
        try
        {
            return CryptographicOperations.FixedTimeEquals(stored, candidate);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(stored);
        }
    }

    /// <summary>
    /// Issues a new token. Without grace the old one stops at once; with grace (at most 24 h) it
    /// keeps working until then. Any earlier previous token ends now.
    /// </summary>
    public async Task<(string Token, DateTimeOffset? PreviousExpiresAt)> RotateTokenAsync(Guid accountId, TimeSpan grace, AuditActor actor, string? requestId, CancellationToken cancellationToken)
    {
        if (grace < TimeSpan.Zero || grace > MaxTokenGrace)
            throw new ArgumentOutOfRangeException(nameof(grace), "The grace period is between 0 and 24 hours");
        var token = Credentials.NewAuthToken();
        var sealedToken = await fields.SealAsync(accountId, AccountFields.TokenPurpose, token, cancellationToken);
        await using var db = contexts.CreateDbContext();
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        var account = await db.Set<Account>().SingleAsync(a => a.Id == accountId && a.DeletedAt == null, cancellationToken);
        var now = time.GetUtcNow();
        account.PreviousAuthTokenSealed = grace > TimeSpan.Zero ? account.AuthTokenSealed : null;
        account.PreviousAuthTokenExpiresAt = grace > TimeSpan.Zero ? now + grace : null;
        account.AuthTokenSealed = sealedToken;
        account.ModifiedAt = now;
        await audit.AppendAsync(db, new AuditEntry(account.Id, actor, AuditActions.AccountTokenRotated, "account", account.AuthId,
            Reason: grace > TimeSpan.Zero ? $"old token valid for {(long)grace.TotalSeconds} s" : "old token revoked", RequestId: requestId), cancellationToken);
        await db.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return (token, account.PreviousAuthTokenExpiresAt);
    }

    public async Task<string> RevealTokenAsync(Account account, CancellationToken cancellationToken) =>
        await fields.OpenAsync(account.Id, AccountFields.TokenPurpose, account.AuthTokenSealed, cancellationToken);

    /// <summary>
    /// Applies <paramref name="change"/> to a live account and saves it with its audit record; false
    /// when there is none. Seal new values before: no key work happens inside the transaction.
    /// </summary>
    public async Task<bool> UpdateAsync(Guid accountId, Action<Account> change, AuditEntry record, CancellationToken cancellationToken)
    {
        await using var db = contexts.CreateDbContext();
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        var account = await db.Set<Account>().SingleOrDefaultAsync(a => a.Id == accountId && a.DeletedAt == null, cancellationToken);
        if (account is null)
            return false;
        change(account);
        account.ModifiedAt = time.GetUtcNow();
        await audit.AppendAsync(db, record, cancellationToken);
        await db.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return true;
    }

    /// <summary>Subaccounts of <paramref name="parentId"/>, newest first, and how many there are.</summary>
    public async Task<(IReadOnlyList<Account> Page, int Total)> ListSubaccountsAsync(Guid parentId, int offset, int limit, CancellationToken cancellationToken)
    {
        await using var db = contexts.CreateDbContext();
        var query = db.Set<Account>().AsNoTracking().Where(a => a.ParentId == parentId && a.DeletedAt == null);
        var total = await query.CountAsync(cancellationToken);
        var page = await query.OrderByDescending(a => a.CreatedAt).ThenByDescending(a => a.Id).Skip(offset).Take(limit).ToListAsync(cancellationToken);
        return (page, total);
    }

    public async Task<Account?> FindSubaccountAsync(Guid parentId, string authId, CancellationToken cancellationToken)
    {
        await using var db = contexts.CreateDbContext();
        return await db.Set<Account>().AsNoTracking()
            .SingleOrDefaultAsync(a => a.AuthId == authId && a.ParentId == parentId && a.DeletedAt == null, cancellationToken);
    }

    public async Task<IReadOnlyList<Account>> ListMainAccountsAsync(CancellationToken cancellationToken)
    {
        await using var db = contexts.CreateDbContext();
        return await db.Set<Account>().AsNoTracking().Where(a => a.ParentId == null && a.DeletedAt == null)
            .OrderBy(a => a.CreatedAt).ToListAsync(cancellationToken);
    }

    /// <summary>True when the account and, for a subaccount, its parent are enabled and live.</summary>
    public async Task<bool> IsActiveAsync(Account account, CancellationToken cancellationToken)
    {
        if (!account.Enabled || account.DeletedAt is not null)
            return false;
        if (account.ParentId is not { } parentId)
            return true;
        await using var db = contexts.CreateDbContext();
        return await db.Set<Account>().AnyAsync(a => a.Id == parentId && a.Enabled && a.DeletedAt == null, cancellationToken);
    }

    /// <summary>
    /// Marks a subaccount deleted (its Auth ID never authenticates again), lets each capability
    /// delete or hand over its resources in the same transaction, and schedules the destruction of
    /// the subaccount's keys.
    /// </summary>
    public async Task<bool> DeleteSubaccountAsync(Guid parentId, Guid subaccountId, bool cascade, AuditEntry record, CancellationToken cancellationToken)
    {
        await using var db = contexts.CreateDbContext();
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        // Written first, so the row is locked before the handlers look at what the account has: a
        // change that gives it something (LiveAccounts.HoldAsync) either finished before, and the
        // handlers see it, or waits and then finds the account gone.
        var deleted = await db.Set<Account>().Where(a => a.Id == subaccountId && a.ParentId == parentId && a.DeletedAt == null)
            .ExecuteUpdateAsync(set => set.SetProperty(a => a.DeletedAt, time.GetUtcNow()).SetProperty(a => a.Enabled, false), cancellationToken);
        if (deleted == 0)
            return false;
        foreach (var handler in deletionHandlers)
            await handler.OnSubaccountDeletedAsync(db, parentId, subaccountId, cascade, cancellationToken);
        await audit.AppendAsync(db, record, cancellationToken);
        await db.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        await keys.ScheduleShreddingAsync(subaccountId, cancellationToken: cancellationToken);
        return true;
    }
}
