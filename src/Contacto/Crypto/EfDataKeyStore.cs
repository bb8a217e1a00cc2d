using Contacto.Storage;
using Microsoft.EntityFrameworkCore;

namespace Contacto.Crypto;

/// <summary>Wrapped tenant keys and shredding schedules in the platform's database
/// (tables <c>tenant_keys</c> and <c>key_shreddings</c>, see <see cref="TenantKeyRecordConfiguration"/>).</summary>
internal sealed class EfDataKeyStore(IDbContextFactory<ContactoDbContext> contexts) : IDataKeyStore
{
    public async Task<IReadOnlyList<TenantKeyRecord>> ListKeysAsync(Guid accountId, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        return await db.Set<TenantKeyRecord>().AsNoTracking()
            .Where(k => k.AccountId == accountId)
            .OrderBy(k => k.Kind).ThenBy(k => k.Version)
            .ToListAsync(cancellationToken);
    }

    public async Task<bool> TryAddKeyAsync(TenantKeyRecord key, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        db.Add(key);
        try
        {
            await db.SaveChangesAsync(cancellationToken);
            return true;
        }
        catch (DbUpdateException)
        {
            if (await ExistsAsync(key, cancellationToken))
            {
                return false;
            }
            throw;
        }
    }

    public async Task UpdateKeyAsync(TenantKeyRecord key, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        db.Update(key);
        await db.SaveChangesAsync(cancellationToken);
    }

    public async Task<IReadOnlyList<TenantKeyRecord>> ListKeysNotWrappedUnderAsync(int kekVersion, int limit, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        return await db.Set<TenantKeyRecord>().AsNoTracking()
            .Where(k => k.KekVersion != kekVersion)
            .OrderBy(k => k.AccountId).ThenBy(k => k.Kind).ThenBy(k => k.Version)
            .Take(limit)
            .ToListAsync(cancellationToken);
    }

    public async Task<int> CountKeysNotWrappedUnderAsync(int kekVersion, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        return await db.Set<TenantKeyRecord>().CountAsync(k => k.KekVersion != kekVersion, cancellationToken);
    }

    public async Task<KeyShreddingRecord?> GetShreddingAsync(Guid accountId, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        return await db.Set<KeyShreddingRecord>().AsNoTracking().SingleOrDefaultAsync(s => s.AccountId == accountId, cancellationToken);
    }

    public async Task SaveShreddingAsync(KeyShreddingRecord shredding, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var exists = await db.Set<KeyShreddingRecord>().AnyAsync(s => s.AccountId == shredding.AccountId, cancellationToken);
        if (exists)
        {
            db.Update(shredding);
        }
        else
        {
            db.Add(shredding);
        }
        await db.SaveChangesAsync(cancellationToken);
    }

    public async Task DeleteShreddingAsync(Guid accountId, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        await db.Set<KeyShreddingRecord>().Where(s => s.AccountId == accountId).ExecuteDeleteAsync(cancellationToken);
    }

    public async Task<IReadOnlyList<KeyShreddingRecord>> ListDueShreddingsAsync(DateTimeOffset now, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        return await db.Set<KeyShreddingRecord>().AsNoTracking()
            .Where(s => s.DestroyedAt == null && s.DestroyAfter <= now)
            .ToListAsync(cancellationToken);
    }

    public async Task DestroyKeysAsync(Guid accountId, DateTimeOffset destroyedAt, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        await db.Set<TenantKeyRecord>().Where(k => k.AccountId == accountId).ExecuteDeleteAsync(cancellationToken);
        await db.Set<KeyShreddingRecord>().Where(s => s.AccountId == accountId)
            .ExecuteUpdateAsync(s => s.SetProperty(r => r.DestroyedAt, destroyedAt), cancellationToken);
        await transaction.CommitAsync(cancellationToken);
    }

    private async Task<bool> ExistsAsync(TenantKeyRecord key, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        return await db.Set<TenantKeyRecord>().AnyAsync(
            k => k.AccountId == key.AccountId && k.Kind == key.Kind && k.Version == key.Version, cancellationToken);
    }
}
