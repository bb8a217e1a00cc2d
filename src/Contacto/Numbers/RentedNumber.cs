using Contacto.Storage;
using Contacto.Tenancy;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Contacto.Numbers;

/// <summary>
/// A phone number of the operator's inventory, rented by one account. The number is sealed with
/// the account's key and found by the account's blind index (<see cref="NumberIndex"/>); traffic
/// from carriers finds it by the platform's routing index (<see cref="RoutingIndex"/>), which is
/// also what keeps a number with one account at a time. The customer's alias for it is sealed too.
/// </summary>
public sealed class RentedNumber : ITenantOwned
{
    public Guid Id { get; set; }
    public Guid AccountId { get; set; }
    public byte[] NumberSealed { get; set; } = [];
    public byte[] NumberIndex { get; set; } = [];

    /// <summary>The platform's blind index of the number; null only for a row from before it existed, until the start-up backfill.</summary>
    public byte[]? RoutingIndex { get; set; }
    public string Country { get; set; } = "";
    public string Type { get; set; } = NumberTypes.Local;
    public byte[]? AliasSealed { get; set; }
    public string? AppId { get; set; }
    public DateTimeOffset AddedAt { get; set; }
}

public static class NumberTypes
{
    public const string Local = "local";
    public static readonly string[] All = [Local, "mobile", "tollfree"];
}

sealed class RentedNumberConfiguration : IEntityTypeConfiguration<RentedNumber>
{
    public void Configure(EntityTypeBuilder<RentedNumber> builder)
    {
        builder.ToTable("numbers");
        builder.HasKey(n => n.Id);
        builder.Property(n => n.Country).HasMaxLength(2);
        builder.Property(n => n.Type).HasMaxLength(16);
        builder.Property(n => n.AppId).HasMaxLength(64);
        builder.Property(n => n.AddedAt).HasConversion(UnixMilliseconds.Converter);
        builder.HasIndex(n => new { n.AccountId, n.NumberIndex }).IsUnique();
        builder.HasIndex(n => n.RoutingIndex).IsUnique();
    }
}
