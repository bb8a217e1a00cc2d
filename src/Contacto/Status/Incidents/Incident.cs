using System.Text.Json;
using Contacto.Status;
using Contacto.Storage;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Contacto.Status.Incidents;

/// <summary>Statuspage's incident statuses, then its scheduled maintenance statuses.</summary>
public enum IncidentStatus
{
    Investigating,
    Identified,
    Monitoring,
    Resolved,
    Postmortem,
    Scheduled,
    InProgress,
    Verifying,
    Completed,
}

/// <summary>Statuspage's impacts; maintenances have <see cref="Maintenance"/>.</summary>
public enum IncidentImpact
{
    None,
    Minor,
    Major,
    Critical,
    Maintenance,
}

/// <summary>
/// An incident or a scheduled maintenance (<see cref="IsMaintenance"/>), as the public page shows
/// it, plus what only staff see: the priority (1 pages on-call) and the paging state.
/// </summary>
public sealed class Incident
{
    public Guid Id { get; set; }
    public string Name { get; set; } = "";
    public IncidentStatus Status { get; set; }
    public IncidentImpact Impact { get; set; }

    /// <summary>1 to 4; P1 pages on-call at once.</summary>
    public int Priority { get; set; }
    public bool IsMaintenance { get; set; }
    public List<string> ComponentIds { get; set; } = [];

    /// <summary>The component whose outage made a monitor open this incident.</summary>
    public string? OpenedForComponent { get; set; }

    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset UpdatedAt { get; set; }
    public DateTimeOffset StartedAt { get; set; }
    public DateTimeOffset? MonitoringAt { get; set; }
    public DateTimeOffset? ResolvedAt { get; set; }
    public DateTimeOffset? ScheduledFor { get; set; }
    public DateTimeOffset? ScheduledUntil { get; set; }

    public string? PostmortemBody { get; set; }
    public DateTimeOffset? PostmortemPublishedAt { get; set; }

    /// <summary>When someone on call acknowledged the page; stops escalation.</summary>
    public DateTimeOffset? AcknowledgedAt { get; set; }

    /// <summary>The escalation level paged last (index into <c>Paging:Escalation</c>) and when.</summary>
    public int? PagedLevel { get; set; }
    public DateTimeOffset? PagedAt { get; set; }

    public List<IncidentUpdate> Updates { get; set; } = [];

    public bool IsOpen => Status is IncidentStatus.Investigating or IncidentStatus.Identified or IncidentStatus.Monitoring
        or IncidentStatus.Scheduled or IncidentStatus.InProgress or IncidentStatus.Verifying;

    public static readonly IncidentStatus[] Unresolved = [IncidentStatus.Investigating, IncidentStatus.Identified, IncidentStatus.Monitoring];
    public static readonly IncidentStatus[] MaintenanceActive = [IncidentStatus.InProgress, IncidentStatus.Verifying];
}

/// <summary>A component's status change that an update reports.</summary>
public sealed record AffectedComponent(string Code, string Name, ComponentStatus OldStatus, ComponentStatus NewStatus);

/// <summary>A timed, public message on an incident.</summary>
public sealed class IncidentUpdate
{
    public Guid Id { get; set; }
    public Guid IncidentId { get; set; }
    public IncidentStatus Status { get; set; }
    public string Body { get; set; } = "";
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset DisplayAt { get; set; }

    /// <summary>JSON of <see cref="AffectedComponent"/>s; a snapshot, so later renames do not rewrite history.</summary>
    public string AffectedComponentsJson { get; set; } = "[]";

    public IReadOnlyList<AffectedComponent> AffectedComponents
    {
        get => JsonSerializer.Deserialize<List<AffectedComponent>>(AffectedComponentsJson) ?? [];
        set => AffectedComponentsJson = JsonSerializer.Serialize(value);
    }
}

sealed class IncidentConfiguration : IEntityTypeConfiguration<Incident>
{
    public void Configure(EntityTypeBuilder<Incident> builder)
    {
        builder.ToTable("incidents");
        builder.HasKey(i => i.Id);
        builder.Property(i => i.Name).HasMaxLength(IncidentService.MaxNameLength);
        builder.Property(i => i.Status).HasConversion<string>().HasMaxLength(32);
        builder.Property(i => i.Impact).HasConversion<string>().HasMaxLength(32);
        builder.Property(i => i.OpenedForComponent).HasMaxLength(StatusOptions.MaxIdLength);
        foreach (var instant in new[] { nameof(Incident.CreatedAt), nameof(Incident.UpdatedAt), nameof(Incident.StartedAt) })
            builder.Property<DateTimeOffset>(instant).HasConversion(UnixMilliseconds.Converter);
        foreach (var instant in new[]
                 {
                     nameof(Incident.MonitoringAt), nameof(Incident.ResolvedAt), nameof(Incident.ScheduledFor), nameof(Incident.ScheduledUntil),
                     nameof(Incident.PostmortemPublishedAt), nameof(Incident.AcknowledgedAt), nameof(Incident.PagedAt),
                 })
            builder.Property<DateTimeOffset?>(instant).HasConversion(UnixMilliseconds.NullableConverter);
        builder.HasIndex(i => new { i.IsMaintenance, i.CreatedAt });
        builder.HasIndex(i => i.Status);
        builder.HasMany(i => i.Updates).WithOne().HasForeignKey(u => u.IncidentId).OnDelete(DeleteBehavior.Cascade);
    }
}

sealed class IncidentUpdateConfiguration : IEntityTypeConfiguration<IncidentUpdate>
{
    public void Configure(EntityTypeBuilder<IncidentUpdate> builder)
    {
        builder.ToTable("incident_updates");
        builder.HasKey(u => u.Id);
        builder.Property(u => u.Status).HasConversion<string>().HasMaxLength(32);
        builder.Property(u => u.Body).HasMaxLength(IncidentService.MaxBodyLength);
        builder.Property(u => u.CreatedAt).HasConversion(UnixMilliseconds.Converter);
        builder.Property(u => u.DisplayAt).HasConversion(UnixMilliseconds.Converter);
        builder.Ignore(u => u.AffectedComponents);
        builder.HasIndex(u => new { u.IncidentId, u.DisplayAt });
    }
}
