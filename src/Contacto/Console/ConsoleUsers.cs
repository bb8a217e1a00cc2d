using System.Text;
using Contacto.Accounts;
using Contacto.Audit;
using Contacto.Crypto;
using Contacto.Storage;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using OtpNet;

namespace Contacto.Console;

/// <summary>
/// Console users: invitations, joining, passwords, TOTP, recovery codes and disabling. Changes
/// commit together with their audit record; key work (sealing, opening) happens before a
/// transaction opens.
/// </summary>
public sealed class ConsoleUsers(
    ContactoDbContextFactory contexts,
    AccountService accounts,
    ITenantCrypto crypto,
    PasswordHasher passwords,
    IAuditTrail audit,
    IOptions<ConsoleOptions> options,
    TimeProvider time)
{
    public const string TotpPurpose = "console_user.totp_secret";

    /// <summary>A replacement secret waiting for its first code, sealed to the session that asked for it.</summary>
    public const string PendingTotpPurpose = "console_session.totp_pending";
    public const int RecoveryCodeCount = 10;

    public sealed record Invitation(ConsoleInvitation Record, string Link);

    /// <summary>
    /// Invites <paramref name="email"/> to a live main account; the link is shown only now. The same
    /// whether or not the address already belongs to a user: such a link never joins.
    /// </summary>
    public async Task<Invitation> InviteAsync(string authId, string email, ConsoleRole role, AuditActor actor, CancellationToken cancellationToken)
    {
        var address = ConsoleText.NormaliseEmail(email) ?? throw new ArgumentException("Not an e-mail address", nameof(email));
        await using var db = contexts.CreateDbContext();
        var account = await accounts.FindAsync(authId, cancellationToken)
                      ?? throw new ArgumentException($"No live account {authId}", nameof(authId));
        // No look-up of existing users: the answer must not tell whether the address belongs to
        // anyone in any tenant. Joining refuses the link when it does (JoinAsync).
        var index = await ConsoleEmails.IndexAsync(crypto, address, cancellationToken);
        var token = ConsoleText.NewSecretToken();
        var now = time.GetUtcNow();
        var id = Guid.CreateVersion7();
        var invitation = new ConsoleInvitation
        {
            Id = id,
            AccountId = account.Id,
            EmailSealed = await crypto.SealAsync(account.Id, ConsoleEmails.InvitationPurpose, id, Encoding.UTF8.GetBytes(address), cancellationToken),
            EmailIndex = index,
            Email = address,
            Role = role,
            TokenHash = ConsoleText.Hash(token),
            CreatedAt = now,
            ExpiresAt = now + options.Value.InvitationLifetime,
        };
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        db.Add(invitation);
        await audit.AppendAsync(db, new AuditEntry(account.Id, actor, AuditActions.ConsoleUserInvited, "console_invitation", invitation.Id.ToString(),
            Reason: $"role {role}"), cancellationToken);
        await db.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        // The token goes after '#': browsers never send it, so no request line, log or proxy sees it.
        return new Invitation(invitation, $"{options.Value.PublicUrl.TrimEnd('/')}/console/invitations#{token}");
    }

    /// <summary>The open invitation a link's token names, or null when unknown, used or expired.</summary>
    public async Task<ConsoleInvitation?> FindInvitationAsync(string token, CancellationToken cancellationToken)
    {
        var hash = ConsoleText.Hash(token);
        var now = time.GetUtcNow();
        await using var db = contexts.CreateDbContext();
        var invitation = await db.Set<ConsoleInvitation>().AsNoTracking().SingleOrDefaultAsync(i => i.TokenHash == hash && i.UsedAt == null, cancellationToken);
        return invitation is not null && invitation.ExpiresAt > now ? await ConsoleEmails.OpenAsync(crypto, invitation, cancellationToken) : null;
    }

    /// <summary>Uses an invitation (once) to create the user with a password; null when the link no longer works.</summary>
    public async Task<ConsoleUser?> JoinAsync(string token, string password, AuditActor actor, CancellationToken cancellationToken) =>
        await FindInvitationAsync(token, cancellationToken) is { } invitation
            ? await JoinAsync(invitation, passwords.Hash(password), null, actor, cancellationToken)
            : null;

    /// <summary>
    /// The end of a sign-in through the provider that the invitation <paramref name="invitationId"/>
    /// started: the invitation (of <paramref name="accountId"/>, still open) creates its user, without
    /// a password, linked to the provider's identity, and is spent. Null when it no longer works or
    /// the identity or address belongs to a user already. This is the only way an unknown identity
    /// joins: a provider's e-mail address, verified or not, never links anyone.
    /// </summary>
    public async Task<ConsoleUser?> JoinWithSsoAsync(Guid invitationId, Guid accountId, string issuer, string subject, AuditActor actor, CancellationToken cancellationToken)
    {
        ConsoleInvitation? invitation;
        await using (var db = contexts.CreateDbContext())
            invitation = await db.Set<ConsoleInvitation>().AsNoTracking()
                .SingleOrDefaultAsync(i => i.Id == invitationId && i.AccountId == accountId && i.UsedAt == null, cancellationToken);
        if (invitation is null || invitation.ExpiresAt <= time.GetUtcNow())
            return null;
        return await JoinAsync(await ConsoleEmails.OpenAsync(crypto, invitation, cancellationToken), "", (issuer, subject), actor, cancellationToken);
    }

    async Task<ConsoleUser?> JoinAsync(ConsoleInvitation invitation, string passwordHash, (string Issuer, string Subject)? identity, AuditActor actor, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var id = Guid.CreateVersion7();
        var emailSealed = await crypto.SealAsync(invitation.AccountId, ConsoleEmails.UserPurpose, id, Encoding.UTF8.GetBytes(invitation.Email), cancellationToken);
        await using var db = contexts.CreateDbContext();
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        // Claiming the row by its unused state makes the link single-use even when two requests race.
        var claimed = await db.Set<ConsoleInvitation>().Where(i => i.Id == invitation.Id && i.UsedAt == null)
            .ExecuteUpdateAsync(s => s.SetProperty(i => i.UsedAt, now), cancellationToken);
        if (claimed != 1 || await db.Set<ConsoleUser>().AnyAsync(u => u.EmailIndex == invitation.EmailIndex, cancellationToken))
            return null;
        if (identity is { } taken && await db.Set<ConsoleUser>().AnyAsync(u => u.SsoIssuer == taken.Issuer && u.SsoSubject == taken.Subject, cancellationToken))
            return null;
        var user = new ConsoleUser
        {
            Id = id,
            AccountId = invitation.AccountId,
            EmailSealed = emailSealed,
            EmailIndex = invitation.EmailIndex,
            Email = invitation.Email,
            Role = invitation.Role,
            PasswordHash = passwordHash,
            SsoIssuer = identity?.Issuer,
            SsoSubject = identity?.Subject,
            CreatedAt = now,
        };
        db.Add(user);
        var userActor = actor with { Id = user.Id.ToString() };
        await audit.AppendAsync(db, new AuditEntry(user.AccountId, userActor, AuditActions.ConsoleUserJoined,
            "console_user", user.Id.ToString(), Reason: $"invitation {invitation.Id}, role {user.Role}{(identity is null ? "" : ", SSO only")}"), cancellationToken);
        if (identity is { } linked)
            await audit.AppendAsync(db, new AuditEntry(user.AccountId, userActor, AuditActions.ConsoleSsoLinked,
                "console_user", user.Id.ToString(), Reason: $"{linked.Issuer}, invitation {invitation.Id}"), cancellationToken);
        await db.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return user;
    }

    /// <summary>What a password check found: the active user the address names (if any) and whether the password is theirs.</summary>
    public sealed record PasswordCheck(ConsoleUser? User, bool Valid);

    public async Task<PasswordCheck> CheckPasswordAsync(string email, string password, CancellationToken cancellationToken)
    {
        var user = await FindActiveAsync(email, cancellationToken);
        if (user is null)
        {
            passwords.Waste(password);
            return new PasswordCheck(null, false);
        }
        return new PasswordCheck(user, passwords.Verify(password, user.PasswordHash));
    }

    async Task<ConsoleUser?> FindActiveAsync(string email, CancellationToken cancellationToken)
    {
        var address = ConsoleText.NormaliseEmail(email);
        if (address is null)
            return null;
        var index = await ConsoleEmails.IndexAsync(crypto, address, cancellationToken);
        await using var db = contexts.CreateDbContext();
        var user = await db.Set<ConsoleUser>().AsNoTracking().SingleOrDefaultAsync(u => u.EmailIndex == index && u.Enabled, cancellationToken);
        return user is not null && await accounts.IsActiveAsync(user.AccountId, cancellationToken) ? await ConsoleEmails.OpenAsync(crypto, user, cancellationToken) : null;
    }

    public bool CheckPassword(ConsoleUser user, string password) => HasPassword(user) && passwords.Verify(password, user.PasswordHash);

    /// <summary>False for a user who joined an account that signs in with SSO only.</summary>
    public bool HasPassword(ConsoleUser user) => user.PasswordHash.Length > 0;

    /// <summary>The secret to enrol (Base32), made and sealed on first call; the same until confirmed.</summary>
    public async Task<string> PendingTotpSecretAsync(ConsoleUser user, CancellationToken cancellationToken)
    {
        if (user.TotpConfirmed)
            throw new InvalidOperationException("TOTP is enrolled already");
        if (user.TotpSecretSealed is { } existing)
            return Base32Encoding.ToString(await crypto.OpenAsync(user.AccountId, TotpPurpose, user.Id, existing, cancellationToken));
        var secret = KeyGeneration.GenerateRandomKey(20);
        var sealedSecret = await crypto.SealAsync(user.AccountId, TotpPurpose, user.Id, secret, cancellationToken);
        await using var db = contexts.CreateDbContext();
        var row = await db.Set<ConsoleUser>().SingleAsync(u => u.Id == user.Id, cancellationToken);
        row.TotpSecretSealed ??= sealedSecret;
        await db.SaveChangesAsync(cancellationToken);
        return Base32Encoding.ToString(await crypto.OpenAsync(user.AccountId, TotpPurpose, user.Id, row.TotpSecretSealed, cancellationToken));
    }

    /// <summary>
    /// Confirms enrolment with a first valid code and issues the recovery codes, shown only now.
    /// Null when the code is wrong.
    /// </summary>
    public async Task<IReadOnlyList<string>?> ConfirmTotpAsync(ConsoleUser user, string code, AuditActor actor, CancellationToken cancellationToken)
    {
        if (user.TotpConfirmed || user.TotpSecretSealed is null || await MatchingStepAsync(user, code, cancellationToken) is not { } step)
            return null;
        var codes = NewRecoveryCodes();
        await using var db = contexts.CreateDbContext();
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        var row = await db.Set<ConsoleUser>().SingleAsync(u => u.Id == user.Id, cancellationToken);
        if (row.TotpConfirmed || step <= row.TotpLastStep)
            return null;
        row.TotpConfirmed = true;
        row.TotpLastStep = step;
        row.ModifiedAt = time.GetUtcNow();
        await ReplaceRecoveryCodesAsync(db, user.Id, codes, cancellationToken);
        await audit.AppendAsync(db, new AuditEntry(user.AccountId, actor, AuditActions.ConsoleTotpEnrolled, "console_user", user.Id.ToString(),
            Reason: $"{RecoveryCodeCount} recovery codes issued"), cancellationToken);
        await db.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return codes;
    }

    /// <summary>
    /// True for a current TOTP code not used before (its time step is then spent, on every node),
    /// or for an unused recovery code (then spent).
    /// </summary>
    public async Task<bool> CheckSecondFactorAsync(ConsoleUser user, string code, CancellationToken cancellationToken)
    {
        var presented = code.Replace(" ", "", StringComparison.Ordinal).Replace("-", "", StringComparison.Ordinal);
        await using var db = contexts.CreateDbContext();
        if (presented.Length == 6)
        {
            if (!user.TotpConfirmed || await MatchingStepAsync(user, presented, cancellationToken) is not { } step)
                return false;
            return await db.Set<ConsoleUser>().Where(u => u.Id == user.Id && u.TotpLastStep < step)
                .ExecuteUpdateAsync(s => s.SetProperty(u => u.TotpLastStep, step), cancellationToken) == 1;
        }
        var hash = RecoveryHash(user.Id, presented.ToUpperInvariant());
        var now = time.GetUtcNow();
        return await db.Set<ConsoleRecoveryCode>().Where(c => c.UserId == user.Id && c.CodeHash == hash && c.UsedAt == null)
            .ExecuteUpdateAsync(s => s.SetProperty(c => c.UsedAt, now), cancellationToken) == 1;
    }

    async Task<long?> MatchingStepAsync(ConsoleUser user, string code, CancellationToken cancellationToken)
    {
        if (user.TotpSecretSealed is null)
            return null;
        var secret = await crypto.OpenAsync(user.AccountId, TotpPurpose, user.Id, user.TotpSecretSealed, cancellationToken);
        try
        {
            return MatchingStep(secret, code);
        }
        finally
        {
            Array.Clear(secret);
        }
    }

    long? MatchingStep(byte[] secret, string code) =>
        code.Length == 6 && code.All(char.IsAsciiDigit) && new Totp(secret).VerifyTotp(time.GetUtcNow().UtcDateTime, code, out var step, VerificationWindow.RfcSpecifiedNetworkDelay)
            ? step
            : null;

    /// <summary>
    /// A new TOTP secret to replace the enrolled one: its Base32 for the authenticator, and the same
    /// secret sealed to this session for the confirming form (nothing is stored until a code matches).
    /// </summary>
    public async Task<(string Secret, string Pending)> NewTotpSecretAsync(ConsoleUser user, ConsoleSession session, CancellationToken cancellationToken)
    {
        var secret = KeyGeneration.GenerateRandomKey(20);
        try
        {
            var pending = await crypto.SealAsync(user.AccountId, PendingTotpPurpose, session.Id, secret, cancellationToken);
            return (Base32Encoding.ToString(secret), Convert.ToBase64String(pending));
        }
        finally
        {
            Array.Clear(secret);
        }
    }

    /// <summary>
    /// Replaces the user's TOTP secret with the pending one once <paramref name="code"/> matches it;
    /// the old secret stops working at once and the user's other sessions end. False when the code
    /// (or the pending secret, which opens only in the session that asked for it) is wrong.
    /// </summary>
    public async Task<bool> ReplaceTotpAsync(ConsoleUser user, ConsoleSession session, string pending, string code, AuditActor actor, CancellationToken cancellationToken)
    {
        byte[] secret;
        try
        {
            secret = await crypto.OpenAsync(user.AccountId, PendingTotpPurpose, session.Id, Convert.FromBase64String(pending), cancellationToken);
        }
        catch (Exception e) when (e is FormatException or System.Security.Cryptography.CryptographicException or TenantKeyUnavailableException)
        {
            return false;
        }
        byte[] sealedSecret;
        long step;
        try
        {
            if (MatchingStep(secret, code.Trim()) is not { } matching)
                return false;
            step = matching;
            sealedSecret = await crypto.SealAsync(user.AccountId, TotpPurpose, user.Id, secret, cancellationToken);
        }
        finally
        {
            Array.Clear(secret);
        }
        var now = time.GetUtcNow();
        await using var db = contexts.CreateDbContext();
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        var row = await db.Set<ConsoleUser>().SingleAsync(u => u.Id == user.Id, cancellationToken);
        row.TotpSecretSealed = sealedSecret;
        row.TotpConfirmed = true;
        row.TotpLastStep = Math.Max(row.TotpLastStep, step);
        row.ModifiedAt = now;
        await ConsoleSessions.EndOthersAsync(db, session, now, cancellationToken);
        await audit.AppendAsync(db, new AuditEntry(user.AccountId, actor, AuditActions.ConsoleTotpReplaced, "console_user", user.Id.ToString(),
            Reason: "other sessions ended"), cancellationToken);
        await db.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return true;
    }

    /// <summary>Ten new recovery codes, shown only now; the old ones stop working and the user's other sessions end.</summary>
    public async Task<IReadOnlyList<string>> RegenerateRecoveryCodesAsync(ConsoleUser user, ConsoleSession session, AuditActor actor, CancellationToken cancellationToken)
    {
        var codes = NewRecoveryCodes();
        var now = time.GetUtcNow();
        await using var db = contexts.CreateDbContext();
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        await ReplaceRecoveryCodesAsync(db, user.Id, codes, cancellationToken);
        await ConsoleSessions.EndOthersAsync(db, session, now, cancellationToken);
        await audit.AppendAsync(db, new AuditEntry(user.AccountId, actor, AuditActions.ConsoleRecoveryCodesRegenerated, "console_user", user.Id.ToString(),
            Reason: $"{RecoveryCodeCount} recovery codes issued, other sessions ended"), cancellationToken);
        await db.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return codes;
    }

    public async Task<int> UnusedRecoveryCodesAsync(ConsoleUser user, CancellationToken cancellationToken)
    {
        await using var db = contexts.CreateDbContext();
        return await db.Set<ConsoleRecoveryCode>().CountAsync(c => c.UserId == user.Id && c.UsedAt == null, cancellationToken);
    }

    static async Task ReplaceRecoveryCodesAsync(ContactoDbContext db, Guid userId, IReadOnlyList<string> codes, CancellationToken cancellationToken)
    {
        await db.Set<ConsoleRecoveryCode>().Where(c => c.UserId == userId).ExecuteDeleteAsync(cancellationToken);
        db.AddRange(codes.Select(c => new ConsoleRecoveryCode { Id = Guid.CreateVersion7(), UserId = userId, CodeHash = RecoveryHash(userId, c) }));
    }

    public enum Disabling
    {
        Disabled,
        NotFound,

        /// <summary>The user's role is above the actor's: nobody changes a user of a higher role.</summary>
        Refused,
    }

    /// <summary>
    /// Disables a user of the account whose role is no higher than <paramref name="actorRole"/>, and
    /// ends all their sessions in the same transaction (the role is read inside it).
    /// </summary>
    public async Task<Disabling> DisableAsync(Guid accountId, Guid userId, ConsoleRole actorRole, AuditActor actor, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        await using var db = contexts.CreateForAccount(accountId); // another account's user id finds nothing
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        var user = await db.Set<ConsoleUser>().SingleOrDefaultAsync(u => u.Id == userId && u.Enabled, cancellationToken);
        if (user is null)
            return Disabling.NotFound;
        if (user.Role > actorRole)
            return Disabling.Refused;
        user.Enabled = false;
        user.ModifiedAt = now;
        await db.Set<ConsoleSession>().Where(s => s.UserId == userId && s.RevokedAt == null)
            .ExecuteUpdateAsync(s => s.SetProperty(x => x.RevokedAt, now), cancellationToken);
        await audit.AppendAsync(db, new AuditEntry(accountId, actor, AuditActions.ConsoleUserDisabled, "console_user", userId.ToString()), cancellationToken);
        await db.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return Disabling.Disabled;
    }

    /// <summary>Ten characters from an alphabet without look-alikes: about 50 bits, spent on first use.</summary>
    static List<string> NewRecoveryCodes() => [.. Enumerable.Range(0, RecoveryCodeCount)
        .Select(_ => System.Security.Cryptography.RandomNumberGenerator.GetString("ABCDEFGHJKLMNPQRSTUVWXYZ23456789", 10))];

    static byte[] RecoveryHash(Guid userId, string code) => ConsoleText.Hash($"{userId:N}:{code}");
}
