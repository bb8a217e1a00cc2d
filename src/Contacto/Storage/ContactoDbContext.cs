using Microsoft.EntityFrameworkCore;

namespace Contacto.Storage;

/// <summary>
/// The platform's one database model. Each capability contributes its entities through
/// <see cref="IEntityTypeConfiguration{TEntity}"/> classes in its own folder; they are picked up
/// from this assembly. Two subclasses exist only so each provider has its own migrations set.
/// </summary>
public abstract class ContactoDbContext(DbContextOptions options) : DbContext(options)
{
    protected override void OnModelCreating(ModelBuilder modelBuilder) =>
        modelBuilder.ApplyConfigurationsFromAssembly(typeof(ContactoDbContext).Assembly);
}

public sealed class SqliteContactoDbContext(DbContextOptions<SqliteContactoDbContext> options) : ContactoDbContext(options);

public sealed class PostgresContactoDbContext(DbContextOptions<PostgresContactoDbContext> options) : ContactoDbContext(options);
