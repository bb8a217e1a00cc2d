using Contacto.Storage;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Contacto.Status.Incidents.Paging;

internal enum PageAction
{
    /// <summary>An incident opened: PagerDuty <c>trigger</c>.</summary>
    Open,

    /// <summary>An incident resolved: PagerDuty <c>resolve</c>.</summary>
    Resolve,
}

/// <summary>
/// One message to one target, in the durable outbox. Written in the same transaction as the
/// incident change that causes it; a node claims it for a short lease before sending, so several
/// nodes never send it twice and a crashed node's claim runs out. Holds no secret: keys and
/// addresses are read from configuration at send time.
/// </summary>
internal sealed class PageMessage
{
    public Guid Id { get; set; }
    public Guid IncidentId { get; set; }
    public string Target { get; set; } = "";
    public PageAction Action { get; set; }

    /// <summary>True for an escalation page, false for a notification.</summary>
    public bool IsPage { get; set; }
    public int Priority { get; set; }
    public string Summary { get; set; } = "";
    public string Details { get; set; } = "";
    public string? Link { get; set; }
    public DateTimeOffset CreatedAt { get; set; }

    public int Attempts { get; set; }
    public DateTimeOffset NextAttemptAt { get; set; }
    public Guid? ClaimedBy { get; set; }
    public DateTimeOffset? ClaimedUntil { get; set; }
    public DateTimeOffset? SentAt { get; set; }

    /// <summary>Set when the target refused it for good or the attempts ran out.</summary>
    public DateTimeOffset? FailedAt { get; set; }

    /// <summary>What went wrong last (kept after a later success): a status code or an error kind, never a response body or URL.</summary>
    public string? LastError { get; set; }
}

sealed class PageMessageConfiguration : IEntityTypeConfiguration<PageMessage>
{
    public void Configure(EntityTypeBuilder<PageMessage> builder)
    {
        builder.ToTable("page_outbox");
        builder.HasKey(m => m.Id);
        builder.Property(m => m.Target).HasMaxLength(100);
        builder.Property(m => m.Action).HasConversion<string>().HasMaxLength(16);
        builder.Property(m => m.Summary).HasMaxLength(1024);
        builder.Property(m => m.Details).HasMaxLength(IncidentService.MaxBodyLength);
        builder.Property(m => m.Link).HasMaxLength(2048);
        builder.Property(m => m.LastError).HasMaxLength(200);
        builder.Property(m => m.CreatedAt).HasConversion(UnixMilliseconds.Converter);
        builder.Property(m => m.NextAttemptAt).HasConversion(UnixMilliseconds.Converter);
        builder.Property(m => m.ClaimedUntil).HasConversion(UnixMilliseconds.NullableConverter);
        builder.Property(m => m.SentAt).HasConversion(UnixMilliseconds.NullableConverter);
        builder.Property(m => m.FailedAt).HasConversion(UnixMilliseconds.NullableConverter);
        builder.HasIndex(m => new { m.SentAt, m.FailedAt, m.NextAttemptAt });
        builder.HasIndex(m => new { m.IncidentId, m.Target });
    }
}
