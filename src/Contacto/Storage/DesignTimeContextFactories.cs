using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;

namespace Contacto.Storage;

// Used only by the migrations tooling to build each provider's model; no database is opened.

sealed class SqliteDesignTimeFactory : IDesignTimeDbContextFactory<SqliteContactoDbContext>
{
    public SqliteContactoDbContext CreateDbContext(string[] args) =>
        new(new DbContextOptionsBuilder<SqliteContactoDbContext>().UseSqlite("Data Source=design.db").Options);
}

sealed class PostgresDesignTimeFactory : IDesignTimeDbContextFactory<PostgresContactoDbContext>
{
    public PostgresContactoDbContext CreateDbContext(string[] args) =>
        new(new DbContextOptionsBuilder<PostgresContactoDbContext>().UseNpgsql("Host=localhost").Options);
}
