using Contacto.Storage;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Contacto.Console;

/// <summary>How far a session has proven its user.</summary>
public enum SessionStage
{
    /// <summary>The password or the SSO provider vouched for the user; Contacto's second factor (or its enrolment) is still due.</summary>
    FirstFactor = 1,
    SignedIn = 2,
}

/// <summary>
/// A server-side console session. The browser holds a random token; only its SHA-256 is kept, so a
/// copy of the database opens no session. Revoking the row ends the session at once.
/// </summary>
public sealed class ConsoleSession
{
    public Guid Id { get; set; }
    public byte[] TokenHash { get; set; } = [];
    public Guid UserId { get; set; }
    public Guid AccountId { get; set; }
    public SessionStage Stage { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset LastSeenAt { get; set; }
    public DateTimeOffset ExpiresAt { get; set; }

    /// <summary>When the user last proved password and second factor again (sign-in counts).</summary>
    public DateTimeOffset? ReauthenticatedAt { get; set; }
    public DateTimeOffset? RevokedAt { get; set; }

    /// <summary>The options (with the challenge) of the WebAuthn ceremony this session started, until it completes.</summary>
    public string? PendingWebAuthn { get; set; }
}

sealed class ConsoleSessionConfiguration : IEntityTypeConfiguration<ConsoleSession>
{
    public void Configure(EntityTypeBuilder<ConsoleSession> builder)
    {
        builder.ToTable("console_sessions");
        builder.HasKey(s => s.Id);
        builder.Property(s => s.TokenHash).HasMaxLength(32);
        builder.Property(s => s.PendingWebAuthn).HasMaxLength(8000);
        builder.HasIndex(s => s.TokenHash).IsUnique();
        builder.HasIndex(s => s.UserId);
        builder.Property(s => s.CreatedAt).HasConversion(UnixMilliseconds.Converter);
        builder.Property(s => s.LastSeenAt).HasConversion(UnixMilliseconds.Converter);
        builder.Property(s => s.ExpiresAt).HasConversion(UnixMilliseconds.Converter);
        builder.Property(s => s.ReauthenticatedAt).HasConversion(UnixMilliseconds.NullableConverter);
        builder.Property(s => s.RevokedAt).HasConversion(UnixMilliseconds.NullableConverter);
        builder.HasOne<ConsoleUser>().WithMany().HasForeignKey(s => s.UserId).OnDelete(DeleteBehavior.Cascade);
    }
}
