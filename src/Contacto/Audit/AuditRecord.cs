using Contacto.Storage;
using Contacto.Tenancy;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Contacto.Audit;

public enum ActorKind
{
    System = 0,
    ApiCredential = 1,
    ConsoleUser = 2,
    Staff = 3,
    Operator = 4,
}

public enum AuditOutcome
{
    Success = 0,
    Failure = 1,
    Denied = 2,
}

/// <summary>
/// One link of an account's append-only audit chain (the platform's own chain has the empty
/// account id). <see cref="Mac"/> is a keyed MAC over the record's canonical form and the previous
/// link's MAC, so altering, removing, reordering or inventing a record breaks the chain for anyone
/// without the platform's audit key.
/// </summary>
public sealed class AuditRecord : ITenantOwned
{
    public Guid Id { get; set; }
    public Guid AccountId { get; set; }
    public long Sequence { get; set; }
    public DateTimeOffset OccurredAt { get; set; }
    public ActorKind ActorKind { get; set; }
    public string? ActorId { get; set; }
    public string? ActorAuthId { get; set; }
    public string? SourceAddress { get; set; }
    public string? UserAgent { get; set; }
    public string Action { get; set; } = "";
    public string? ResourceType { get; set; }
    public string? ResourceId { get; set; }
    public AuditOutcome Outcome { get; set; }
    public string? Reason { get; set; }
    public string? RequestId { get; set; }
    public byte[] Mac { get; set; } = [];
}

/// <summary>The newest link of a chain; locked while a link is added so writers on every node take turns.</summary>
internal sealed class AuditChainHead
{
    public Guid ChainId { get; set; }
    public long Sequence { get; set; }
    public byte[] Mac { get; set; } = [];
}

sealed class AuditRecordConfiguration : IEntityTypeConfiguration<AuditRecord>
{
    public void Configure(EntityTypeBuilder<AuditRecord> builder)
    {
        builder.ToTable("audit_records");
        builder.HasKey(r => r.Id);
        builder.Property(r => r.AccountId).HasColumnName("chain_id");
        builder.Property(r => r.Sequence).HasColumnName("seq");
        builder.HasIndex(r => new { r.AccountId, r.Sequence }).IsUnique();
        builder.HasIndex(r => new { r.AccountId, r.OccurredAt });
        builder.Property(r => r.OccurredAt).HasConversion(UnixMilliseconds.Converter);
        builder.Property(r => r.ActorId).HasMaxLength(64);
        builder.Property(r => r.ActorAuthId).HasMaxLength(20);
        builder.Property(r => r.SourceAddress).HasMaxLength(64);
        builder.Property(r => r.UserAgent).HasMaxLength(256);
        builder.Property(r => r.Action).HasMaxLength(64);
        builder.Property(r => r.ResourceType).HasMaxLength(32);
        builder.Property(r => r.ResourceId).HasMaxLength(64);
        builder.Property(r => r.Reason).HasMaxLength(512);
        builder.Property(r => r.RequestId).HasMaxLength(64);
        builder.Property(r => r.Mac).HasMaxLength(AuditMac.Size);
    }
}

sealed class AuditChainHeadConfiguration : IEntityTypeConfiguration<AuditChainHead>
{
    public void Configure(EntityTypeBuilder<AuditChainHead> builder)
    {
        builder.ToTable("audit_chain_heads");
        builder.HasKey(h => h.ChainId);
        builder.Property(h => h.ChainId).HasColumnName("chain_id");
        builder.Property(h => h.Sequence).HasColumnName("seq");
        builder.Property(h => h.Mac).HasColumnName("mac").HasMaxLength(AuditMac.Size);
    }
}
