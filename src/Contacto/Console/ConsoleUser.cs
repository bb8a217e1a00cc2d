using Contacto.Storage;
using Contacto.Tenancy;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Contacto.Console;

/// <summary>What a console user may do in their account.</summary>
public enum ConsoleRole
{
    ReadOnly = 0,
    Billing = 1,
    Developer = 2,
    Admin = 3,
    Owner = 4,
}

/// <summary>
/// A person who signs in to the customer console. <see cref="Id"/> is their unique user id; the
/// e-mail address is unique across the platform because sign-in starts from it alone.
/// </summary>
public sealed class ConsoleUser : ITenantOwned
{
    public Guid Id { get; set; }
    public Guid AccountId { get; set; }

    /// <summary>Lower-case, trimmed.</summary>
    public string Email { get; set; } = "";
    public ConsoleRole Role { get; set; }
    public bool Enabled { get; set; } = true;

    /// <summary>Argon2id, in <see cref="PasswordHasher"/>'s self-describing form.</summary>
    public string PasswordHash { get; set; } = "";

    /// <summary>The TOTP secret sealed with the account's key; set at enrolment, confirmed by a first valid code.</summary>
    public byte[]? TotpSecretSealed { get; set; }
    public bool TotpConfirmed { get; set; }

    /// <summary>The last TOTP time step accepted: a code is accepted only for a later step, so each is usable once.</summary>
    public long TotpLastStep { get; set; }

    /// <summary>The SSO identity, namespaced by its provider: (issuer, subject) is unique, an e-mail address never stands for it.</summary>
    public string? SsoIssuer { get; set; }
    public string? SsoSubject { get; set; }

    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset? ModifiedAt { get; set; }
}

sealed class ConsoleUserConfiguration : IEntityTypeConfiguration<ConsoleUser>
{
    public void Configure(EntityTypeBuilder<ConsoleUser> builder)
    {
        builder.ToTable("console_users");
        builder.HasKey(u => u.Id);
        builder.Property(u => u.Email).HasMaxLength(ConsoleText.MaxEmailLength).IsRequired();
        builder.HasIndex(u => u.Email).IsUnique();
        builder.HasIndex(u => u.AccountId);
        builder.Property(u => u.PasswordHash).HasMaxLength(256);
        builder.Property(u => u.SsoIssuer).HasMaxLength(ConsoleSsoSettings.MaxIssuerLength);
        builder.Property(u => u.SsoSubject).HasMaxLength(255);
        builder.HasIndex(u => new { u.SsoIssuer, u.SsoSubject }).IsUnique();
        builder.Property(u => u.CreatedAt).HasConversion(UnixMilliseconds.Converter);
        builder.Property(u => u.ModifiedAt).HasConversion(UnixMilliseconds.NullableConverter);
        builder.HasOne<Accounts.Account>().WithMany().HasForeignKey(u => u.AccountId).OnDelete(DeleteBehavior.Restrict);
    }
}
