using Contacto.Storage;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Contacto.Console;

/// <summary>A WebAuthn credential (passkey or security key) a user registered as a second factor. Only public material.</summary>
public sealed class ConsolePasskey
{
    public Guid Id { get; set; }
    public Guid UserId { get; set; }
    public byte[] CredentialId { get; set; } = [];

    /// <summary>The COSE public key.</summary>
    public byte[] PublicKey { get; set; } = [];

    /// <summary>The authenticator's signature counter; a counter that does not grow reveals a cloned authenticator.</summary>
    public long SignCount { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
}

sealed class ConsolePasskeyConfiguration : IEntityTypeConfiguration<ConsolePasskey>
{
    public void Configure(EntityTypeBuilder<ConsolePasskey> builder)
    {
        builder.ToTable("console_passkeys");
        builder.HasKey(p => p.Id);
        builder.Property(p => p.CredentialId).HasMaxLength(1023);
        builder.HasIndex(p => p.CredentialId).IsUnique();
        builder.HasIndex(p => p.UserId);
        builder.Property(p => p.CreatedAt).HasConversion(UnixMilliseconds.Converter);
        builder.HasOne<ConsoleUser>().WithMany().HasForeignKey(p => p.UserId).OnDelete(DeleteBehavior.Cascade);
    }
}
