using Contacto.Storage;
using Contacto.Tenancy;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Contacto.Console;

/// <summary>An account's OpenID Connect provider for console sign-in; the client secret is sealed with the account's key.</summary>
public sealed class ConsoleSsoSettings : ITenantOwned
{
    public const int MaxIssuerLength = 512;

    public Guid AccountId { get; set; }
    public string Issuer { get; set; } = "";
    public string ClientId { get; set; } = "";
    public byte[] ClientSecretSealed { get; set; } = [];

    /// <summary>When set, the account's users can sign in only through this provider (then Contacto's second factor).</summary>
    public bool Required { get; set; }
    public DateTimeOffset ModifiedAt { get; set; }
}

sealed class ConsoleSsoSettingsConfiguration : IEntityTypeConfiguration<ConsoleSsoSettings>
{
    public void Configure(EntityTypeBuilder<ConsoleSsoSettings> builder)
    {
        builder.ToTable("console_sso_settings");
        builder.HasKey(s => s.AccountId);
        builder.Property(s => s.Issuer).HasMaxLength(ConsoleSsoSettings.MaxIssuerLength).IsRequired();
        builder.Property(s => s.ClientId).HasMaxLength(255).IsRequired();
        builder.Property(s => s.ModifiedAt).HasConversion(UnixMilliseconds.Converter);
        builder.HasOne<Accounts.Account>().WithMany().HasForeignKey(s => s.AccountId).OnDelete(DeleteBehavior.Restrict);
    }
}
