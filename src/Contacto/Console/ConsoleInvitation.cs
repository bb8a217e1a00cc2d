using Contacto.Storage;
using Contacto.Tenancy;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Contacto.Console;

/// <summary>A single-use invitation to join an account; only the SHA-256 of its token is kept.</summary>
public sealed class ConsoleInvitation : ITenantOwned
{
    public Guid Id { get; set; }
    public Guid AccountId { get; set; }
    /// <summary>The invited address, sealed with the account's key, and its platform blind index (<see cref="ConsoleEmails"/>).</summary>
    public byte[] EmailSealed { get; set; } = [];
    public byte[] EmailIndex { get; set; } = [];

    /// <summary>The address in clear, in memory only, once opened.</summary>
    public string Email { get; set; } = "";
    public ConsoleRole Role { get; set; }
    public byte[] TokenHash { get; set; } = [];
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset ExpiresAt { get; set; }
    public DateTimeOffset? UsedAt { get; set; }
}

sealed class ConsoleInvitationConfiguration : IEntityTypeConfiguration<ConsoleInvitation>
{
    public void Configure(EntityTypeBuilder<ConsoleInvitation> builder)
    {
        builder.ToTable("console_invitations");
        builder.HasKey(i => i.Id);
        builder.Ignore(i => i.Email);
        builder.Property(i => i.EmailIndex).HasMaxLength(Crypto.BlindIndex.Size);
        builder.Property(i => i.TokenHash).HasMaxLength(32);
        builder.HasIndex(i => i.TokenHash).IsUnique();
        builder.Property(i => i.CreatedAt).HasConversion(UnixMilliseconds.Converter);
        builder.Property(i => i.ExpiresAt).HasConversion(UnixMilliseconds.Converter);
        builder.Property(i => i.UsedAt).HasConversion(UnixMilliseconds.NullableConverter);
        builder.HasOne<Accounts.Account>().WithMany().HasForeignKey(i => i.AccountId).OnDelete(DeleteBehavior.Restrict);
    }
}
