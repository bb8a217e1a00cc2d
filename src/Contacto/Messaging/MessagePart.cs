using Contacto.Storage;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Contacto.Messaging;

/// <summary>
/// A message waiting for a carrier: written with the message before the API answers, claimed by a
/// dispatcher for a lease, deleted in the transaction that records the carrier's answer. A node
/// that dies mid-submit leaves its claim to lapse, and another node sends the message again.
/// </summary>
public sealed class MessageWork
{
    /// <summary>The message's id.</summary>
    public Guid Id { get; set; }
    public Guid AccountId { get; set; }
    public string Country { get; set; } = "";
    public int Attempts { get; set; }
    public DateTimeOffset NextAttemptAt { get; set; }
    public Guid? ClaimedBy { get; set; }
    public DateTimeOffset? ClaimedUntil { get; set; }

    /// <summary>The work item of a newly accepted message, due at once.</summary>
    public static MessageWork For(Message message) =>
        new() { Id = message.Id, AccountId = message.AccountId, Country = message.DestinationCountry, NextAttemptAt = message.CreatedAt };
}

/// <summary>One submitted part, found again by the carrier's id when its receipt comes.</summary>
public sealed class MessagePart
{
    public string Carrier { get; set; } = "";

    /// <summary>The carrier's message id in canonical form (<c>SmppCarrier.KeyOf</c>).</summary>
    public string CarrierMessageId { get; set; } = "";
    public Guid MessageId { get; set; }

    /// <summary>Null until the part's final receipt; then delivered or undelivered.</summary>
    public string? State { get; set; }
    public string? ErrorCode { get; set; }
}

sealed class MessageWorkConfiguration : IEntityTypeConfiguration<MessageWork>
{
    public void Configure(EntityTypeBuilder<MessageWork> builder)
    {
        builder.ToTable("message_work");
        builder.HasKey(w => w.Id);
        builder.Property(w => w.Country).HasMaxLength(2);
        builder.Property(w => w.NextAttemptAt).HasConversion(UnixMilliseconds.Converter);
        builder.Property(w => w.ClaimedUntil).HasConversion(UnixMilliseconds.NullableConverter);
        builder.HasIndex(w => w.NextAttemptAt);
        builder.HasIndex(w => w.ClaimedBy);
    }
}

sealed class MessagePartConfiguration : IEntityTypeConfiguration<MessagePart>
{
    public void Configure(EntityTypeBuilder<MessagePart> builder)
    {
        builder.ToTable("message_parts");
        builder.HasKey(p => new { p.Carrier, p.CarrierMessageId });
        builder.Property(p => p.Carrier).HasMaxLength(64);
        builder.Property(p => p.CarrierMessageId).HasMaxLength(65);
        builder.Property(p => p.State).HasMaxLength(12);
        builder.Property(p => p.ErrorCode).HasMaxLength(8);
        builder.HasIndex(p => p.MessageId);
    }
}
