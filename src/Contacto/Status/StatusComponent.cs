using Contacto.Storage;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Contacto.Status;

/// <summary>
/// The stored state of one configured component (name, group and order come from configuration).
/// The public <see cref="Status"/> is the staff override if any, else under maintenance during a
/// maintenance window, else what the monitors saw.
/// </summary>
internal sealed class StatusComponent
{
    /// <summary>The configured id, also the Statuspage id.</summary>
    public string Id { get; set; } = "";
    public ComponentStatus Status { get; set; }
    public DateTimeOffset StatusSince { get; set; }
    public ComponentStatus MonitoredStatus { get; set; }
    public DateTimeOffset MonitoredSince { get; set; }
    public ComponentStatus? OverrideStatus { get; set; }

    /// <summary>The incident a monitor opened for the current outage; cleared when the component recovers.</summary>
    public Guid? OutageIncidentId { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset UpdatedAt { get; set; }

    /// <summary>Bumped on every change, so two nodes reconciling at once cannot both open an incident.</summary>
    public int Version { get; set; }
}

/// <summary>One change of a component's public status: the history behind the uptime bars.</summary>
internal sealed class ComponentStatusChange
{
    public Guid Id { get; set; }
    public string ComponentId { get; set; } = "";
    public ComponentStatus Status { get; set; }
    public DateTimeOffset At { get; set; }
}

sealed class StatusComponentConfiguration : IEntityTypeConfiguration<StatusComponent>
{
    public void Configure(EntityTypeBuilder<StatusComponent> builder)
    {
        builder.ToTable("status_components");
        builder.HasKey(c => c.Id);
        builder.Property(c => c.Id).HasMaxLength(StatusOptions.MaxIdLength);
        builder.Property(c => c.Status).HasConversion<string>().HasMaxLength(32);
        builder.Property(c => c.MonitoredStatus).HasConversion<string>().HasMaxLength(32);
        builder.Property(c => c.OverrideStatus).HasConversion<string>().HasMaxLength(32);
        builder.Property(c => c.StatusSince).HasConversion(UnixMilliseconds.Converter);
        builder.Property(c => c.MonitoredSince).HasConversion(UnixMilliseconds.Converter);
        builder.Property(c => c.CreatedAt).HasConversion(UnixMilliseconds.Converter);
        builder.Property(c => c.UpdatedAt).HasConversion(UnixMilliseconds.Converter);
        builder.Property(c => c.Version).IsConcurrencyToken();
    }
}

sealed class ComponentStatusChangeConfiguration : IEntityTypeConfiguration<ComponentStatusChange>
{
    public void Configure(EntityTypeBuilder<ComponentStatusChange> builder)
    {
        builder.ToTable("status_component_changes");
        builder.HasKey(c => c.Id);
        builder.Property(c => c.ComponentId).HasMaxLength(StatusOptions.MaxIdLength);
        builder.Property(c => c.Status).HasConversion<string>().HasMaxLength(32);
        builder.Property(c => c.At).HasConversion(UnixMilliseconds.Converter);
        builder.HasIndex(c => new { c.ComponentId, c.At });
    }
}
