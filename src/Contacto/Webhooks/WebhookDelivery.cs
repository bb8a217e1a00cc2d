using Contacto.Storage;
using Contacto.Tenancy;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Contacto.Webhooks;

internal enum DeliveryState
{
    Pending = 0,
    Delivered = 1,
    Failed = 2,
}

/// <summary>
/// A callback waiting in the durable outbox. URL and fields are sealed with the account's key
/// (a URL may carry its own secret; fields carry phone numbers). Deliveries that share an
/// ordering key (a message) go out one after another, oldest first.
/// </summary>
internal sealed class WebhookDelivery : ITenantOwned
{
    public Guid Id { get; set; }
    public Guid AccountId { get; set; }
    public string OrderingKey { get; set; } = "";

    /// <summary>What the callback is about, for a capability that follows its outcome (<see cref="IWebhookOutcomeHandler"/>); null when none does.</summary>
    public string? Subject { get; set; }
    public Guid? SubjectId { get; set; }
    public string Method { get; set; } = "POST";
    public byte[] UrlSealed { get; set; } = [];
    public byte[] FieldsSealed { get; set; } = [];
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset NextAttemptAt { get; set; }
    public int Attempts { get; set; }
    public DeliveryState State { get; set; }
    public DateTimeOffset? ClaimedUntil { get; set; }
    public int? LastStatus { get; set; }
    public string? LastError { get; set; }
    public DateTimeOffset? FinishedAt { get; set; }
}

/// <summary>One attempt, kept so the owner can see what happened to its callbacks.</summary>
internal sealed class WebhookAttempt : ITenantOwned
{
    public Guid Id { get; set; }
    public Guid AccountId { get; set; }
    public Guid DeliveryId { get; set; }
    public string OrderingKey { get; set; } = "";
    public DateTimeOffset At { get; set; }
    public int? Status { get; set; }
    public AttemptOutcome Outcome { get; set; }
    public double LatencyMs { get; set; }
    public string? Error { get; set; }
}

sealed class WebhookDeliveryConfiguration : IEntityTypeConfiguration<WebhookDelivery>
{
    public void Configure(EntityTypeBuilder<WebhookDelivery> builder)
    {
        builder.ToTable("webhook_deliveries");
        builder.HasKey(d => d.Id);
        builder.HasIndex(d => new { d.State, d.NextAttemptAt });
        // With the creation time in it, "is an older one of this key pending" (every claim asks it
        // of every candidate) is answered from the index alone.
        builder.HasIndex(d => new { d.AccountId, d.OrderingKey, d.State, d.CreatedAt });
        builder.Property(d => d.OrderingKey).HasMaxLength(64);
        builder.Property(d => d.Subject).HasMaxLength(32);
        builder.Property(d => d.Method).HasMaxLength(8);
        builder.Property(d => d.LastError).HasMaxLength(256);
        builder.Property(d => d.CreatedAt).HasConversion(UnixMilliseconds.Converter);
        builder.Property(d => d.NextAttemptAt).HasConversion(UnixMilliseconds.Converter);
        builder.Property(d => d.ClaimedUntil).HasConversion(UnixMilliseconds.NullableConverter);
        builder.Property(d => d.FinishedAt).HasConversion(UnixMilliseconds.NullableConverter);
    }
}

sealed class WebhookAttemptConfiguration : IEntityTypeConfiguration<WebhookAttempt>
{
    public void Configure(EntityTypeBuilder<WebhookAttempt> builder)
    {
        builder.ToTable("webhook_attempts");
        builder.HasKey(a => a.Id);
        builder.HasIndex(a => new { a.AccountId, a.OrderingKey, a.At });
        builder.Property(a => a.OrderingKey).HasMaxLength(64);
        builder.Property(a => a.Error).HasMaxLength(256);
        builder.Property(a => a.At).HasConversion(UnixMilliseconds.Converter);
    }
}
