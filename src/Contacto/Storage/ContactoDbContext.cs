using System.Linq.Expressions;
using Contacto.Tenancy;
using Microsoft.AspNetCore.DataProtection.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore;

namespace Contacto.Storage;

/// <summary>
/// The platform's one database model. Each capability contributes its entities through
/// <see cref="IEntityTypeConfiguration{TEntity}"/> classes in its own folder; they are picked up
/// from this assembly. Two subclasses exist only so each provider has its own migrations set.
/// A context made for an account (<see cref="TenantAccountId"/>) sees only that account's
/// <see cref="ITenantOwned"/> rows and refuses to save anyone else's; a system context (workers,
/// the CLI) sees all.
/// </summary>
public abstract class ContactoDbContext(DbContextOptions options) : DbContext(options), IDataProtectionKeyContext
{
    /// <summary>The console's data protection key ring, each key sealed (see <c>Console.ConsoleKeyRing</c>).</summary>
    public DbSet<DataProtectionKey> DataProtectionKeys => Set<DataProtectionKey>();

    /// <summary>Null for a system context.</summary>
    public Guid? TenantAccountId { get; internal set; }

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        modelBuilder.ApplyConfigurationsFromAssembly(typeof(ContactoDbContext).Assembly);
        foreach (var entity in modelBuilder.Model.GetEntityTypes().Where(e => typeof(ITenantOwned).IsAssignableFrom(e.ClrType)))
            entity.SetQueryFilter(TenantFilter(entity.ClrType));
    }

    // e => this.TenantAccountId == null || e.AccountId == this.TenantAccountId, evaluated per query.
    LambdaExpression TenantFilter(Type entityType)
    {
        var row = Expression.Parameter(entityType, "row");
        var tenant = Expression.Property(Expression.Constant(this), nameof(TenantAccountId));
        var owner = Expression.Convert(Expression.Property(row, nameof(ITenantOwned.AccountId)), typeof(Guid?));
        return Expression.Lambda(
            Expression.OrElse(Expression.Equal(tenant, Expression.Constant(null, typeof(Guid?))), Expression.Equal(owner, tenant)),
            row);
    }

    public override int SaveChanges(bool acceptAllChangesOnSuccess)
    {
        RefuseOtherTenantsRows();
        return base.SaveChanges(acceptAllChangesOnSuccess);
    }

    public override Task<int> SaveChangesAsync(bool acceptAllChangesOnSuccess, CancellationToken cancellationToken = default)
    {
        RefuseOtherTenantsRows();
        return base.SaveChangesAsync(acceptAllChangesOnSuccess, cancellationToken);
    }

    void RefuseOtherTenantsRows()
    {
        if (TenantAccountId is not { } tenant)
            return;
        foreach (var entry in ChangeTracker.Entries<ITenantOwned>())
            if (entry.State is EntityState.Added or EntityState.Modified or EntityState.Deleted && entry.Entity.AccountId != tenant)
                throw new TenantViolationException(entry.Metadata.ClrType.Name);
    }
}

internal sealed class SqliteContactoDbContext(DbContextOptions<SqliteContactoDbContext> options) : ContactoDbContext(options);

internal sealed class PostgresContactoDbContext(DbContextOptions<PostgresContactoDbContext> options) : ContactoDbContext(options)
{
    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        base.OnModelCreating(modelBuilder);
        foreach (var settings in typeof(ContactoDbContext).Assembly.GetTypes()
            .Where(t => t.IsClass && !t.IsAbstract && typeof(IPostgresTableSettings).IsAssignableFrom(t)))
            ((IPostgresTableSettings)Activator.CreateInstance(settings, nonPublic: true)!).Apply(modelBuilder);
    }
}

/// <summary>
/// A capability's settings of its tables that only PostgreSQL has (fill factors, for example),
/// found in this assembly like the entity configurations and applied to PostgreSQL's model alone,
/// so that SQLite's model and migrations stay as they are.
/// </summary>
internal interface IPostgresTableSettings
{
    void Apply(ModelBuilder model);
}
