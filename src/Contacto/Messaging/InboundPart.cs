using Contacto.Storage;
using Contacto.Tenancy;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Contacto.Messaging;

/// <summary>
/// One part of a long inbound message, kept until its siblings arrive (or the wait ends), so a
/// part acknowledged to the carrier survives a restart. Numbers and text are sealed with the
/// account's key; parts of one message share <see cref="GroupIndex"/>, a blind index of sender,
/// number, reference and total.
/// </summary>
internal sealed class InboundPart : ITenantOwned
{
    public Guid Id { get; set; }
    public Guid AccountId { get; set; }

    /// <summary>The rented number it was sent to.</summary>
    public Guid NumberId { get; set; }
    public byte[] GroupIndex { get; set; } = [];
    public int Sequence { get; set; }
    public int Total { get; set; }
    public string Carrier { get; set; } = "";
    public byte[] FromSealed { get; set; } = [];
    public byte[] TextSealed { get; set; } = [];
    public DateTimeOffset ReceivedAt { get; set; }

    public const string FromPurpose = "inbound_part.from";
    public const string TextPurpose = "inbound_part.text";
    public const string GroupPurpose = "inbound_part.group";
}

sealed class InboundPartConfiguration : IEntityTypeConfiguration<InboundPart>
{
    public void Configure(EntityTypeBuilder<InboundPart> builder)
    {
        builder.ToTable("inbound_parts");
        builder.HasKey(p => p.Id);
        builder.Property(p => p.Carrier).HasMaxLength(64);
        builder.Property(p => p.ReceivedAt).HasConversion(UnixMilliseconds.Converter);
        // A part the carrier delivers again (its acknowledgement was lost) is stored once.
        builder.HasIndex(p => new { p.AccountId, p.GroupIndex, p.Sequence }).IsUnique();
        builder.HasIndex(p => p.ReceivedAt);
    }
}
