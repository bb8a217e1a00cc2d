using Contacto.Storage;
using Contacto.Tenancy;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Contacto.Messaging;

/// <summary>
/// One message to one destination: its MDR. Text and numbers are sealed with the account's key
/// (bound to <see cref="Id"/>); the numbers also carry blind indexes so lists can filter on them.
/// Plivo's <c>log</c> decides what is kept once the message reaches a final state: with
/// <see cref="Log"/> off neither text nor numbers, with <see cref="LogOnly"/> one of them.
/// </summary>
public sealed class Message : ITenantOwned
{
    public Guid Id { get; set; }
    public Guid AccountId { get; set; }
    public string Direction { get; set; } = MessageDirections.Outbound;
    public string State { get; set; } = MessageStates.Queued;
    public string Type { get; set; } = "sms";

    public byte[]? FromSealed { get; set; }
    public byte[]? ToSealed { get; set; }
    public byte[]? TextSealed { get; set; }
    public byte[]? FromIndex { get; set; }
    public byte[]? ToIndex { get; set; }

    /// <summary>True when <c>src</c> is an alphanumeric sender id rather than a number.</summary>
    public bool AlphanumericSender { get; set; }

    /// <summary>ISO 3166 alpha-2 of the destination, as the numbering plan says.</summary>
    public string DestinationCountry { get; set; } = "";
    public int Units { get; set; }
    /// <summary>False for <c>log=false</c>: text and numbers are wiped once final.</summary>
    public bool Log { get; set; } = true;

    /// <summary><c>content_only</c> (numbers wiped once final) or <c>number_only</c> (text wiped); null keeps both.</summary>
    public string? LogOnly { get; set; }
    /// <summary>Where status callbacks go, sealed (purpose <see cref="CallbackUrlPurpose"/>): a URL may carry the customer's secrets.</summary>
    public byte[]? CallbackUrlSealed { get; set; }
    public string? CallbackMethod { get; set; }
    public string? RequesterIp { get; set; }

    /// <summary>Plivo's error code: null until something went wrong.</summary>
    public string? ErrorCode { get; set; }

    /// <summary>The carrier that took it, by configured name.</summary>
    public string? Carrier { get; set; }

    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset? SentAt { get; set; }
    public DateTimeOffset UpdatedAt { get; set; }

    /// <summary>
    /// When a dispatcher may next take the message to a carrier; null once the carrier took it or
    /// it failed. The queue's index is on it, so it changes only when the message enters or leaves
    /// the queue or waits for a retry (<see cref="MessageQueue"/>).
    /// </summary>
    public DateTimeOffset? NextAttemptAt { get; set; }

    /// <summary>
    /// The end of the lease of the node that claimed the message to send it; others pass it by
    /// until then, so a message whose node died mid-submit becomes claimable again by itself.
    /// Not indexed: on PostgreSQL a claim then rewrites the row in place (a HOT update) instead of
    /// adding an entry to each of the message's indexes.
    /// </summary>
    public DateTimeOffset? ClaimedUntil { get; set; }

    /// <summary>Submits that ended in a retry (throttled, or no carrier up).</summary>
    public int Attempts { get; set; }

    public const string TextPurpose = "message.text";
    public const string FromPurpose = "message.from";
    public const string ToPurpose = "message.to";
    public const string CallbackUrlPurpose = "message.callback_url";

    public bool KeepsText => Log && LogOnly != MessageLog.NumberOnly;
    public bool KeepsNumbers => Log && LogOnly != MessageLog.ContentOnly;

    /// <summary>
    /// Moves to <paramref name="state"/>, out of the dispatch queue; a final state forgets what
    /// <c>log</c> said not to keep.
    /// </summary>
    public void MoveTo(string state, string? errorCode, DateTimeOffset now)
    {
        (State, ErrorCode, UpdatedAt, NextAttemptAt, ClaimedUntil) = (state, errorCode, now, null, null);
        if (!MessageStates.IsFinal(state))
            return;
        if (!KeepsText)
            TextSealed = null;
        if (!KeepsNumbers)
            FromSealed = ToSealed = FromIndex = ToIndex = null;
    }
}

/// <summary>The values of Plivo's <c>log</c> send parameter.</summary>
internal static class MessageLog
{
    public const string ContentOnly = "content_only";
    public const string NumberOnly = "number_only";
    public static readonly string[] Partial = [ContentOnly, NumberOnly];
}

internal static class MessageStates
{
    public const string Queued = "queued";
    public const string Sent = "sent";
    public const string Delivered = "delivered";
    public const string Undelivered = "undelivered";
    public const string Failed = "failed";
    public const string Received = "received";

    public static readonly string[] All = [Queued, Sent, Delivered, Undelivered, Failed, Received, "read", "rejected"];

    public static bool IsFinal(string state) => state is Delivered or Undelivered or Failed;
}

internal static class MessageDirections
{
    public const string Outbound = "outbound";
    public const string Inbound = "inbound";
}

sealed class MessageConfiguration : IEntityTypeConfiguration<Message>
{
    public void Configure(EntityTypeBuilder<Message> builder)
    {
        builder.ToTable("messages");
        builder.HasKey(m => m.Id);
        builder.Property(m => m.Direction).HasMaxLength(8);
        builder.Property(m => m.State).HasMaxLength(12);
        builder.Property(m => m.Type).HasMaxLength(8);
        builder.Property(m => m.DestinationCountry).HasMaxLength(2);
        builder.Property(m => m.CallbackMethod).HasMaxLength(4);
        builder.Property(m => m.RequesterIp).HasMaxLength(45);
        builder.Property(m => m.ErrorCode).HasMaxLength(8);
        builder.Property(m => m.Carrier).HasMaxLength(64);
        builder.Property(m => m.LogOnly).HasMaxLength(12);
        builder.Property(m => m.CreatedAt).HasConversion(UnixMilliseconds.Converter);
        builder.Property(m => m.SentAt).HasConversion(UnixMilliseconds.NullableConverter);
        builder.Property(m => m.UpdatedAt).HasConversion(UnixMilliseconds.Converter);
        builder.Property(m => m.NextAttemptAt).HasConversion(UnixMilliseconds.NullableConverter);
        builder.Property(m => m.ClaimedUntil).HasConversion(UnixMilliseconds.NullableConverter);
        // Only messages waiting for a carrier are in it: the queue stays as small as the backlog.
        builder.HasIndex(m => m.NextAttemptAt).HasFilter("\"NextAttemptAt\" IS NOT NULL");
        builder.HasIndex(m => new { m.AccountId, m.CreatedAt });
        builder.HasIndex(m => new { m.AccountId, m.ToIndex });
        builder.HasIndex(m => new { m.AccountId, m.FromIndex });
    }
}

/// <summary>
/// A message row is rewritten as it goes sent and then delivered, a part once. With room left on
/// each page the later writes can be HOT updates, which add no index entries: the bulk bench rose
/// by a seventh (2,757 -> 3,167 msg/s, means of four alternating runs).
/// </summary>
sealed class MessagingPostgresTables : IPostgresTableSettings
{
    public void Apply(ModelBuilder model)
    {
        model.Entity<Message>().HasStorageParameter("fillfactor", 70);
        model.Entity<MessagePart>().HasStorageParameter("fillfactor", 70);
    }
}
