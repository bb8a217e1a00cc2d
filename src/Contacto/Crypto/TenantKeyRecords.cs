using Contacto.Storage;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Contacto.Crypto;

public enum TenantKeyKind
{
    /// <summary>AES-256-GCM key for envelopes and streams; rotates.</summary>
    Encryption = 1,

    /// <summary>HMAC-SHA256 key for blind indexes; separate from the encryption key, never rotated
    /// (a new one would invalidate every stored index).</summary>
    BlindIndex = 2,
}

public enum TenantKeyState
{
    Active = 1,

    /// <summary>Kept so a ciphertext under it gets a clear "retired" error; never used again.</summary>
    Retired = 2,
}

/// <summary>One version of one tenant key, wrapped by a KEK version. The plaintext key is never stored.</summary>
public sealed class TenantKeyRecord
{
    public Guid AccountId { get; set; }
    public TenantKeyKind Kind { get; set; }
    public int Version { get; set; }
    public int KekVersion { get; set; }
    public byte[] WrappedKey { get; set; } = [];
    public TenantKeyState State { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset? RetiredAt { get; set; }
}

/// <summary>A scheduled (and later carried out) destruction of all keys of a tenant.</summary>
public sealed class KeyShreddingRecord
{
    public Guid AccountId { get; set; }
    public DateTimeOffset ScheduledAt { get; set; }
    public DateTimeOffset DestroyAfter { get; set; }

    /// <summary>Set once the keys are gone; the row stays so later reads fail with "keys destroyed".</summary>
    public DateTimeOffset? DestroyedAt { get; set; }
}

internal sealed class TenantKeyRecordConfiguration : IEntityTypeConfiguration<TenantKeyRecord>
{
    public void Configure(EntityTypeBuilder<TenantKeyRecord> builder)
    {
        builder.ToTable("tenant_keys");
        builder.HasKey(k => new { k.AccountId, k.Kind, k.Version });
        builder.Property(k => k.WrappedKey).IsRequired().HasMaxLength(512);
        builder.Property(k => k.CreatedAt).HasConversion(UnixMilliseconds.Converter);
        builder.Property(k => k.RetiredAt).HasConversion(UnixMilliseconds.NullableConverter);
        // The KEK rewrap walks keys that are not yet under the current KEK version.
        builder.HasIndex(k => k.KekVersion);
    }
}

internal sealed class KeyShreddingRecordConfiguration : IEntityTypeConfiguration<KeyShreddingRecord>
{
    public void Configure(EntityTypeBuilder<KeyShreddingRecord> builder)
    {
        builder.ToTable("key_shreddings");
        builder.HasKey(s => s.AccountId);
        builder.Property(s => s.ScheduledAt).HasConversion(UnixMilliseconds.Converter);
        builder.Property(s => s.DestroyAfter).HasConversion(UnixMilliseconds.Converter);
        builder.Property(s => s.DestroyedAt).HasConversion(UnixMilliseconds.NullableConverter);
        builder.HasIndex(s => s.DestroyAfter);
    }
}
