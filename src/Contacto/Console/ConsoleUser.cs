using Contacto.Storage;
using Contacto.Tenancy;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Contacto.Console;

/// <summary>What a console user may do in their account.</summary>
public enum ConsoleRole
{
    ReadOnly = 0,
    Billing = 1,
    Developer = 2,
    Admin = 3,
    Owner = 4,
}

/// <summary>
/// A person who signs in to the customer console. <see cref="Id"/> is their unique user id; the
/// e-mail address is unique across the platform because sign-in starts from it alone.
/// </summary>
public sealed class ConsoleUser : ITenantOwned
{
    public Guid Id { get; set; }
    public Guid AccountId { get; set; }

    /// <summary>The address (lower-case, trimmed), sealed with the account's key (<see cref="ConsoleEmails"/>).</summary>
    public byte[] EmailSealed { get; set; } = [];

    /// <summary>The address's blind index under a platform key: unique, and how sign-in finds the user.</summary>
    public byte[] EmailIndex { get; set; } = [];

    /// <summary>The address in clear, in memory only: opened when the user is loaded (<see cref="ConsoleEmails.OpenAsync(Crypto.ITenantCrypto, ConsoleUser, CancellationToken)"/>).</summary>
    public string Email { get; set; } = "";
    public ConsoleRole Role { get; set; }
    public bool Enabled { get; set; } = true;

    /// <summary>Argon2id, in <see cref="PasswordHasher"/>'s self-describing form.</summary>
    public string PasswordHash { get; set; } = "";

    /// <summary>The TOTP secret sealed with the account's key; set at enrolment, confirmed by a first valid code.</summary>
    public byte[]? TotpSecretSealed { get; set; }
    public bool TotpConfirmed { get; set; }

    /// <summary>The last TOTP time step accepted: a code is accepted only for a later step, so each is usable once.</summary>
    public long TotpLastStep { get; set; }

    /// <summary>The SSO identity, namespaced by its provider: (issuer, subject) is unique, an e-mail address never stands for it.</summary>
    public string? SsoIssuer { get; set; }
    public string? SsoSubject { get; set; }

    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset? ModifiedAt { get; set; }
}

sealed class ConsoleUserConfiguration : IEntityTypeConfiguration<ConsoleUser>
{
    public void Configure(EntityTypeBuilder<ConsoleUser> builder)
    {
        builder.ToTable("console_users");
        builder.HasKey(u => u.Id);
        builder.Ignore(u => u.Email);
        builder.Property(u => u.EmailIndex).HasMaxLength(Crypto.BlindIndex.Size);
        builder.HasIndex(u => u.EmailIndex).IsUnique();
        builder.HasIndex(u => u.AccountId);
        builder.Property(u => u.PasswordHash).HasMaxLength(256);
        builder.Property(u => u.SsoIssuer).HasMaxLength(ConsoleSsoSettings.MaxIssuerLength);
        builder.Property(u => u.SsoSubject).HasMaxLength(255);
        builder.HasIndex(u => new { u.SsoIssuer, u.SsoSubject }).IsUnique();
        builder.Property(u => u.CreatedAt).HasConversion(UnixMilliseconds.Converter);
        builder.Property(u => u.ModifiedAt).HasConversion(UnixMilliseconds.NullableConverter);
        builder.HasOne<Accounts.Account>().WithMany().HasForeignKey(u => u.AccountId).OnDelete(DeleteBehavior.Restrict);
    }
}

/// <summary>
/// Console e-mail addresses at rest: sealed with the account's key, and found across the platform
/// (sign-in starts from the address alone) by a blind index under a platform key of their own,
/// so no tenant's keys are needed to find a user and no address is stored in clear.
/// </summary>
internal static class ConsoleEmails
{
    public const string UserPurpose = "console_user.email";
    public const string InvitationPurpose = "console_invitation.email";
    const string IndexPurpose = "console.email";

    /// <summary>The index of a normalised address (<see cref="ConsoleText.NormaliseEmail"/>).</summary>
    public static ValueTask<byte[]> IndexAsync(Crypto.ITenantCrypto crypto, string address, CancellationToken cancellationToken) =>
        crypto.BlindIndexAsync(Crypto.PlatformKeyOwners.ConsoleEmails, IndexPurpose, address, cancellationToken);

    public static async Task<ConsoleUser> OpenAsync(Crypto.ITenantCrypto crypto, ConsoleUser user, CancellationToken cancellationToken)
    {
        user.Email = System.Text.Encoding.UTF8.GetString(await crypto.OpenAsync(user.AccountId, UserPurpose, user.Id, user.EmailSealed, cancellationToken));
        return user;
    }

    public static async Task<ConsoleInvitation> OpenAsync(Crypto.ITenantCrypto crypto, ConsoleInvitation invitation, CancellationToken cancellationToken)
    {
        invitation.Email = System.Text.Encoding.UTF8.GetString(await crypto.OpenAsync(invitation.AccountId, InvitationPurpose, invitation.Id, invitation.EmailSealed, cancellationToken));
        return invitation;
    }
}
