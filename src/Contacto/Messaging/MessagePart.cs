using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Contacto.Messaging;

/// <summary>One submitted part, found again by the carrier's id when its receipt comes.</summary>
internal sealed class MessagePart
{
    public string Carrier { get; set; } = "";

    /// <summary>The carrier's reference for this part, as its receipts name it (<see cref="Carriers.CarrierOutcome.References"/>).</summary>
    public string CarrierMessageId { get; set; } = "";
    public Guid MessageId { get; set; }

    /// <summary>Null until the part's final receipt; then delivered or undelivered.</summary>
    public string? State { get; set; }
    public string? ErrorCode { get; set; }
}

sealed class MessagePartConfiguration : IEntityTypeConfiguration<MessagePart>
{
    public void Configure(EntityTypeBuilder<MessagePart> builder)
    {
        builder.ToTable("message_parts");
        // The carrier's id leads: a receipt batch looks up "carrier = c AND id IN (...)", and with
        // the carrier first PostgreSQL, its statistics lagging behind a fast-growing table, chose
        // to scan every part of the carrier and filter the ids.
        builder.HasKey(p => new { p.CarrierMessageId, p.Carrier });
        builder.Property(p => p.Carrier).HasMaxLength(64);
        builder.Property(p => p.CarrierMessageId).HasMaxLength(65);
        builder.Property(p => p.State).HasMaxLength(12);
        builder.Property(p => p.ErrorCode).HasMaxLength(8);
        builder.HasIndex(p => p.MessageId);
    }
}
