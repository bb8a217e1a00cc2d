using System.Text;
using Contacto.Accounts;
using Contacto.Api;
using Contacto.Applications;
using Contacto.Audit;
using Contacto.Crypto;
using Contacto.Storage;
using Microsoft.EntityFrameworkCore;

namespace Contacto.Numbers;

/// <summary>
/// The number inventory: the operator adds numbers to accounts; accounts find, change and give
/// them back through the API. A number is sealed with its account's key, so moving it to another
/// account reseals it.
/// </summary>
public sealed class NumberService(
    IDbContextFactory<ContactoDbContext> contexts,
    ITenantCrypto crypto,
    LiveAccounts accounts,
    IAuditTrail audit,
    TimeProvider time) : ISubaccountDeletionHandler, IApplicationDeletionHandler
{
    public const string NumberPurpose = "number.e164";
    public const string AliasPurpose = "number.alias";

    /// <summary>The purpose of the platform-wide routing index (<see cref="RentedNumber.RoutingIndex"/>).</summary>
    const string RoutingPurpose = "number.routing";

    public sealed class NumberTakenException() : InvalidOperationException("An account already rents this number");

    /// <summary>Adds a number to an account (the operator's inventory command).</summary>
    public async Task<RentedNumber> AddAsync(Guid accountId, string e164, string country, string type, AuditActor actor, CancellationToken cancellationToken)
    {
        var number = new RentedNumber { Id = Guid.CreateVersion7(), AccountId = accountId, Country = country, Type = type, AddedAt = time.GetUtcNow() };
        await SealAsync(number, accountId, e164, cancellationToken);
        await using var db = contexts.CreateDbContext();
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        // One account per number, kept by the routing index's unique key: inbound messages to it
        // must have exactly one place to go.
        if (await db.Set<RentedNumber>().AnyAsync(n => n.RoutingIndex == number.RoutingIndex, cancellationToken))
            throw new NumberTakenException();
        if (!await accounts.HoldAsync(db, accountId, cancellationToken))
            throw new InvalidOperationException("The account does not exist or was deleted");
        db.Add(number);
        await audit.AppendAsync(db, new AuditEntry(accountId, actor, AuditActions.NumberAdded, "number", number.Id.ToString()), cancellationToken);
        try
        {
            await db.SaveChangesAsync(cancellationToken);
        }
        catch (DbUpdateException)
        {
            await transaction.RollbackAsync(CancellationToken.None);
            if (await IsRentedAsync(number.RoutingIndex!, CancellationToken.None))
                throw new NumberTakenException(); // added at the same moment elsewhere
            throw;
        }
        await transaction.CommitAsync(cancellationToken);
        return number;
    }

    /// <summary>The account's number with this E.164 form, through the caller's (tenant) context.</summary>
    public async Task<RentedNumber?> FindAsync(ContactoDbContext db, Guid accountId, string e164, CancellationToken cancellationToken)
    {
        var index = await crypto.BlindIndexAsync(accountId, NumberPlan.IndexPurpose, e164, cancellationToken);
        return await db.Set<RentedNumber>().SingleOrDefaultAsync(n => n.AccountId == accountId && n.NumberIndex == index, cancellationToken);
    }

    /// <summary>
    /// The numbers of these accounts, newest first, read across tenants: the caller passes only
    /// itself and, for a main account, its own subaccounts.
    /// </summary>
    public async Task<List<RentedNumber>> ListAsync(IReadOnlyCollection<Guid> owners, CancellationToken cancellationToken)
    {
        await using var db = contexts.CreateDbContext();
        return await db.Set<RentedNumber>().AsNoTracking().Where(n => owners.Contains(n.AccountId))
            .OrderByDescending(n => n.AddedAt).ThenByDescending(n => n.Id).ToListAsync(cancellationToken);
    }

    /// <summary>The number among these accounts' (as for <see cref="ListAsync"/>), by each one's blind index.</summary>
    public async Task<RentedNumber?> FindAmongAsync(IEnumerable<Guid> owners, string e164, CancellationToken cancellationToken)
    {
        await using var db = contexts.CreateDbContext();
        foreach (var owner in owners)
            if (await FindAsync(db, owner, e164, cancellationToken) is { } row)
                return row;
        return null;
    }

    /// <summary>
    /// Sets the alias (when not null) and the application (when <paramref name="linking"/>) and,
    /// when <paramref name="owner"/> is another account of the same customer, moves the number
    /// there, resealed under that account's key.
    /// </summary>
    public async Task UpdateAsync(RentedNumber number, string e164, Guid owner, string? alias, bool linking, string? appId, AuditEntry record, CancellationToken cancellationToken)
    {
        // Key work before the transaction.
        RentedNumber? moved = null;
        if (owner != number.AccountId)
        {
            moved = new RentedNumber { Id = Guid.CreateVersion7(), AccountId = owner, Country = number.Country, Type = number.Type, AddedAt = number.AddedAt };
            await SealAsync(moved, owner, e164, cancellationToken);
            moved.AliasSealed = await SealAliasAsync(owner, moved.Id, alias ?? await OpenAliasAsync(number, cancellationToken), cancellationToken);
        }
        var aliasSealed = moved is null && alias is not null ? await SealAliasAsync(owner, number.Id, alias, cancellationToken) : null;
        await using var db = contexts.CreateDbContext();
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        var current = await db.Set<RentedNumber>().SingleOrDefaultAsync(n => n.Id == number.Id, cancellationToken) ?? throw ApiException.NotFound();
        var target = current;
        if (moved is not null)
        {
            // Checked here, in the transaction that gives it the number, and held until it ends:
            // an account deleted meanwhile would keep a number nobody can reach.
            if (!await accounts.HoldAsync(db, owner, cancellationToken))
                throw ApiException.NotFound();
            if (await FindAsync(db, owner, e164, cancellationToken) is not null)
                throw ApiException.BadRequest("subaccount already has this number");
            moved.AppId = current.AppId;
            db.Remove(current);
            db.Add(moved);
            target = moved;
        }
        target.AliasSealed = aliasSealed ?? target.AliasSealed;
        target.AppId = linking ? appId : target.AppId;
        await audit.AppendAsync(db, record, cancellationToken);
        await db.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
    }

    public async Task UnrentAsync(RentedNumber number, AuditEntry record, CancellationToken cancellationToken)
    {
        await using var db = contexts.CreateDbContext();
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        await db.Set<RentedNumber>().Where(n => n.Id == number.Id).ExecuteDeleteAsync(cancellationToken);
        await audit.AppendAsync(db, record, cancellationToken);
        await db.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
    }

    /// <summary>The rented number with this id, whichever account has it (null once given back).</summary>
    public async Task<RentedNumber?> FindByIdAsync(Guid id, CancellationToken cancellationToken)
    {
        await using var db = contexts.CreateDbContext();
        return await db.Set<RentedNumber>().AsNoTracking().SingleOrDefaultAsync(n => n.Id == id, cancellationToken);
    }

    /// <summary>
    /// The number as rented by whichever account has it, for traffic from carriers: one look-up by
    /// the platform's routing index, which needs no account's keys.
    /// </summary>
    public async Task<RentedNumber?> FindRentedAsync(string e164, CancellationToken cancellationToken)
    {
        var index = await RoutingIndexAsync(e164, cancellationToken);
        await using var db = contexts.CreateDbContext();
        return await db.Set<RentedNumber>().AsNoTracking().SingleOrDefaultAsync(n => n.RoutingIndex == index, cancellationToken);
    }

    async Task<bool> IsRentedAsync(byte[] routingIndex, CancellationToken cancellationToken)
    {
        await using var db = contexts.CreateDbContext();
        return await db.Set<RentedNumber>().AnyAsync(n => n.RoutingIndex == routingIndex, cancellationToken);
    }

    ValueTask<byte[]> RoutingIndexAsync(string e164, CancellationToken cancellationToken) =>
        crypto.BlindIndexAsync(PlatformKeyOwners.NumberRouting, RoutingPurpose, e164, cancellationToken);

    /// <summary>
    /// Gives routing indexes to numbers from before they existed (at start, before anything is
    /// served). A number whose account's keys are gone cannot be opened and stays without one:
    /// nothing can reach it, as nobody could read what reached it.
    /// </summary>
    internal async Task<int> BackfillRoutingIndexesAsync(CancellationToken cancellationToken)
    {
        await using var db = contexts.CreateDbContext();
        var missing = await db.Set<RentedNumber>().Where(n => n.RoutingIndex == null).ToListAsync(cancellationToken);
        foreach (var number in missing)
        {
            try
            {
                number.RoutingIndex = await RoutingIndexAsync(await OpenAsync(number, cancellationToken), cancellationToken);
            }
            catch (TenantKeyUnavailableException)
            {
                // Left unroutable, see above.
            }
        }
        await db.SaveChangesAsync(cancellationToken);
        return missing.Count(n => n.RoutingIndex is not null);
    }

    /// <summary>Numbers linked to a deleted application keep working for outbound, unlinked.</summary>
    public async Task OnApplicationDeletedAsync(ContactoDbContext db, Application application, bool cascade, CancellationToken cancellationToken)
    {
        foreach (var number in await db.Set<RentedNumber>().Where(n => n.AccountId == application.AccountId && n.AppId == application.AppId).ToListAsync(cancellationToken))
            number.AppId = null;
    }

    public async Task<string> OpenAsync(RentedNumber number, CancellationToken cancellationToken) =>
        Encoding.UTF8.GetString(await crypto.OpenAsync(number.AccountId, NumberPurpose, number.Id, number.NumberSealed, cancellationToken));

    public async Task<string?> OpenAliasAsync(RentedNumber number, CancellationToken cancellationToken) =>
        number.AliasSealed is null ? null : Encoding.UTF8.GetString(await crypto.OpenAsync(number.AccountId, AliasPurpose, number.Id, number.AliasSealed, cancellationToken));

    async Task<byte[]?> SealAliasAsync(Guid accountId, Guid numberId, string? alias, CancellationToken cancellationToken) =>
        alias is null ? null : await crypto.SealAsync(accountId, AliasPurpose, numberId, Encoding.UTF8.GetBytes(alias), cancellationToken);

    /// <summary>Deletes the subaccount's numbers, or moves them to the main account resealed under its key.</summary>
    public async Task OnSubaccountDeletedAsync(ContactoDbContext db, Guid parentId, Guid subaccountId, bool cascade, CancellationToken cancellationToken)
    {
        var numbers = await db.Set<RentedNumber>().Where(n => n.AccountId == subaccountId).ToListAsync(cancellationToken);
        foreach (var number in numbers)
        {
            db.Remove(number);
            if (cascade)
                continue;
            var moved = new RentedNumber
            {
                Id = Guid.CreateVersion7(), AccountId = parentId, Country = number.Country, Type = number.Type,
                AppId = number.AppId, AddedAt = number.AddedAt,
            };
            await SealAsync(moved, parentId, await OpenAsync(number, cancellationToken), cancellationToken);
            moved.AliasSealed = await SealAliasAsync(parentId, moved.Id, await OpenAliasAsync(number, cancellationToken), cancellationToken);
            db.Add(moved);
        }
    }

    async Task SealAsync(RentedNumber number, Guid accountId, string e164, CancellationToken cancellationToken)
    {
        number.NumberSealed = await crypto.SealAsync(accountId, NumberPurpose, number.Id, Encoding.UTF8.GetBytes(e164), cancellationToken);
        number.NumberIndex = await crypto.BlindIndexAsync(accountId, NumberPlan.IndexPurpose, e164, cancellationToken);
        number.RoutingIndex = await RoutingIndexAsync(e164, cancellationToken);
    }
}
