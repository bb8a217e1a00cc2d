using Contacto.Storage;
using Contacto.Tenancy;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Contacto.Recordings;

/// <summary>
/// A stored recording of a call: what the Recording API lists and serves. Its audio lies in the
/// blob store as sealed chunks (<see cref="RecordingStore"/>); the call's numbers are sealed here
/// with the account's key (bound to <see cref="Id"/>).
/// </summary>
internal sealed class Recording : ITenantOwned
{
    public Guid Id { get; set; }
    public Guid AccountId { get; set; }
    public Guid CallId { get; set; }
    public byte[]? FromSealed { get; set; }
    public byte[]? ToSealed { get; set; }
    public int SampleRate { get; set; }
    public int Channels { get; set; }
    public long Frames { get; set; }
    public DateTimeOffset StartedAt { get; set; }
    public DateTimeOffset EndedAt { get; set; }
    public DateTimeOffset AddedAt { get; set; }

    public const string FromPurpose = "recording.from";
    public const string ToPurpose = "recording.to";

    public TimeSpan Duration => TimeSpan.FromSeconds(SampleRate == 0 ? 0 : (double)Frames / SampleRate);
}

sealed class RecordingConfiguration : IEntityTypeConfiguration<Recording>
{
    public void Configure(EntityTypeBuilder<Recording> builder)
    {
        builder.ToTable("recordings");
        builder.HasKey(r => r.Id);
        builder.Property(r => r.StartedAt).HasConversion(UnixMilliseconds.Converter);
        builder.Property(r => r.EndedAt).HasConversion(UnixMilliseconds.Converter);
        builder.Property(r => r.AddedAt).HasConversion(UnixMilliseconds.Converter);
        builder.Ignore(r => r.Duration);
        builder.HasIndex(r => new { r.AccountId, r.AddedAt });
        builder.HasIndex(r => new { r.AccountId, r.CallId });
    }
}
