using Contacto.Storage;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Contacto.Console;

/// <summary>One of a user's ten recovery codes, kept as a SHA-256 hash; usable once.</summary>
internal sealed class ConsoleRecoveryCode
{
    public Guid Id { get; set; }
    public Guid UserId { get; set; }
    public byte[] CodeHash { get; set; } = [];
    public DateTimeOffset? UsedAt { get; set; }
}

sealed class ConsoleRecoveryCodeConfiguration : IEntityTypeConfiguration<ConsoleRecoveryCode>
{
    public void Configure(EntityTypeBuilder<ConsoleRecoveryCode> builder)
    {
        builder.ToTable("console_recovery_codes");
        builder.HasKey(c => c.Id);
        builder.Property(c => c.CodeHash).HasMaxLength(32);
        builder.HasIndex(c => new { c.UserId, c.CodeHash }).IsUnique();
        builder.Property(c => c.UsedAt).HasConversion(UnixMilliseconds.NullableConverter);
        builder.HasOne<ConsoleUser>().WithMany().HasForeignKey(c => c.UserId).OnDelete(DeleteBehavior.Cascade);
    }
}
