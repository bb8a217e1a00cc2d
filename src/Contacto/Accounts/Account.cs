using Contacto.Storage;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Contacto.Accounts;

/// <summary>
/// A main account (a customer, <see cref="ParentId"/> null) or one of its subaccounts. Each is its
/// own tenant: its own Auth ID and token, its own data keys. Free-text fields and the token are
/// sealed with the account's key; see <see cref="AccountFields"/>.
/// </summary>
public sealed class Account
{
    public Guid Id { get; set; }
    public string AuthId { get; set; } = "";
    public Guid? ParentId { get; set; }
    public bool Enabled { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset? ModifiedAt { get; set; }

    /// <summary>Set when deleted: the Auth ID stays reserved and never authenticates again.</summary>
    public DateTimeOffset? DeletedAt { get; set; }

    public byte[] NameSealed { get; set; } = [];
    public byte[]? AddressSealed { get; set; }
    public byte[]? CitySealed { get; set; }
    public byte[]? StateSealed { get; set; }
    public string Timezone { get; set; } = "UTC";
    public string AccountType { get; set; } = "standard";
    public string BillingMode { get; set; } = "prepaid";
    public decimal CashCredits { get; set; }
    public bool AutoRecharge { get; set; }

    public byte[] AuthTokenSealed { get; set; } = [];

    /// <summary>After a rotation with a grace period, the old token keeps working until this time.</summary>
    public byte[]? PreviousAuthTokenSealed { get; set; }
    public DateTimeOffset? PreviousAuthTokenExpiresAt { get; set; }

    public bool IsMain => ParentId is null;
}

sealed class AccountConfiguration : IEntityTypeConfiguration<Account>
{
    public void Configure(EntityTypeBuilder<Account> builder)
    {
        builder.ToTable("accounts");
        builder.HasKey(a => a.Id);
        builder.Property(a => a.AuthId).HasMaxLength(20).IsRequired();
        builder.HasIndex(a => a.AuthId).IsUnique();
        builder.HasIndex(a => new { a.ParentId, a.CreatedAt });
        builder.HasOne<Account>().WithMany().HasForeignKey(a => a.ParentId).OnDelete(DeleteBehavior.Restrict);
        builder.Property(a => a.Timezone).HasMaxLength(64);
        builder.Property(a => a.AccountType).HasMaxLength(16);
        builder.Property(a => a.BillingMode).HasMaxLength(16);
        builder.Property(a => a.CashCredits).HasPrecision(18, 5);
        builder.Property(a => a.CreatedAt).HasConversion(UnixMilliseconds.Converter);
        builder.Property(a => a.ModifiedAt).HasConversion(UnixMilliseconds.NullableConverter);
        builder.Property(a => a.DeletedAt).HasConversion(UnixMilliseconds.NullableConverter);
        builder.Property(a => a.PreviousAuthTokenExpiresAt).HasConversion(UnixMilliseconds.NullableConverter);
    }
}

/// <summary>A row that lets exactly one node do first-run work, even when several start at once.</summary>
internal sealed class PlatformMarker
{
    public string Name { get; set; } = "";
    public DateTimeOffset CreatedAt { get; set; }
}

sealed class PlatformMarkerConfiguration : IEntityTypeConfiguration<PlatformMarker>
{
    public void Configure(EntityTypeBuilder<PlatformMarker> builder)
    {
        builder.ToTable("platform_markers");
        builder.HasKey(m => m.Name);
        builder.Property(m => m.Name).HasMaxLength(64);
        builder.Property(m => m.CreatedAt).HasConversion(UnixMilliseconds.Converter);
    }
}
