using Contacto.Audit;
using Contacto.Storage;
using Fido2NetLib;
using Fido2NetLib.Objects;
using Microsoft.AspNetCore.Http;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Contacto.Console;

/// <summary>
/// WebAuthn second factors through the Fido2 library: registration (by a signed-in user who proved
/// themselves recently) and assertion (in place of a TOTP code). Each ceremony's options, with
/// their challenge, wait on the session row, so any node can finish it and a challenge serves once.
/// The relying party is the host of <see cref="ConsoleOptions.PublicUrl"/>, never the request's Host
/// header, so a hostile Host cannot move passkeys to another name; the browser binds the origin.
/// </summary>
internal sealed class ConsolePasskeys(ContactoDbContextFactory contexts, IAuditTrail audit, IOptions<ConsoleOptions> options, TimeProvider time)
{
    public async Task<string> RegistrationOptionsAsync(HttpContext context, ConsoleSession session, ConsoleUser user, CancellationToken cancellationToken)
    {
        var existing = await DescriptorsAsync(user.Id, cancellationToken);
        var options = Fido2For(context).RequestNewCredential(new RequestNewCredentialParams
        {
            User = new Fido2User { Id = user.Id.ToByteArray(), Name = user.Email, DisplayName = user.Email },
            ExcludeCredentials = existing,
            AuthenticatorSelection = new AuthenticatorSelection { UserVerification = UserVerificationRequirement.Preferred, ResidentKey = ResidentKeyRequirement.Discouraged },
            AttestationPreference = AttestationConveyancePreference.None,
        });
        var json = options.ToJson();
        await SetPendingAsync(session, json, cancellationToken);
        return json;
    }

    /// <summary>Verifies the authenticator's answer to the pending registration and stores the credential; false when refused.</summary>
    public async Task<bool> RegisterAsync(HttpContext context, ConsoleSession session, ConsoleUser user, AuthenticatorAttestationRawResponse response, AuditActor actor, CancellationToken cancellationToken)
    {
        if (await TakePendingAsync(session, cancellationToken) is not { } pending)
            return false;
        RegisteredPublicKeyCredential credential;
        try
        {
            credential = await Fido2For(context).MakeNewCredentialAsync(new MakeNewCredentialParams
            {
                AttestationResponse = response,
                OriginalOptions = CredentialCreateOptions.FromJson(pending),
                IsCredentialIdUniqueToUserCallback = async (args, ct) =>
                {
                    await using var db = contexts.CreateDbContext();
                    return !await db.Set<ConsolePasskey>().AnyAsync(p => p.CredentialId == args.CredentialId, ct);
                },
            }, cancellationToken);
        }
        catch (Fido2VerificationException)
        {
            return false;
        }
        await using var db = contexts.CreateDbContext();
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        var passkey = new ConsolePasskey
        {
            Id = Guid.CreateVersion7(),
            UserId = user.Id,
            CredentialId = credential.Id,
            PublicKey = credential.PublicKey,
            SignCount = credential.SignCount,
            CreatedAt = time.GetUtcNow(),
        };
        db.Add(passkey);
        await audit.AppendAsync(db, new AuditEntry(user.AccountId, actor, AuditActions.ConsolePasskeyAdded, "console_passkey", passkey.Id.ToString()), cancellationToken);
        await db.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return true;
    }

    public enum Removal { Removed, NotFound, LastFactor }

    /// <summary>
    /// Removes one of the user's passkeys, unless it is their only second factor; the user's other
    /// sessions end with it.
    /// </summary>
    public async Task<Removal> RemoveAsync(ConsoleUser user, ConsoleSession session, Guid passkeyId, AuditActor actor, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        await using var db = contexts.CreateDbContext();
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        var owned = await db.Set<ConsolePasskey>().Where(p => p.UserId == user.Id).ToListAsync(cancellationToken);
        if (owned.SingleOrDefault(p => p.Id == passkeyId) is not { } passkey)
            return Removal.NotFound;
        var totp = await db.Set<ConsoleUser>().Where(u => u.Id == user.Id).Select(u => u.TotpConfirmed).SingleAsync(cancellationToken);
        if (!totp && owned.Count == 1)
            return Removal.LastFactor;
        db.Remove(passkey);
        await ConsoleSessions.EndOthersAsync(db, session, now, cancellationToken);
        await audit.AppendAsync(db, new AuditEntry(user.AccountId, actor, AuditActions.ConsolePasskeyRemoved, "console_passkey", passkey.Id.ToString(),
            Reason: "other sessions ended"), cancellationToken);
        await db.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return Removal.Removed;
    }

    public async Task<List<ConsolePasskey>> ListAsync(ConsoleUser user, CancellationToken cancellationToken)
    {
        await using var db = contexts.CreateDbContext();
        return await db.Set<ConsolePasskey>().AsNoTracking().Where(p => p.UserId == user.Id).OrderBy(p => p.CreatedAt).ToListAsync(cancellationToken);
    }

    /// <summary>Assertion options for the user's passkeys, or null when they have none.</summary>
    public async Task<string?> AssertionOptionsAsync(HttpContext context, ConsoleSession session, ConsoleUser user, CancellationToken cancellationToken)
    {
        var allowed = await DescriptorsAsync(user.Id, cancellationToken);
        if (allowed.Count == 0)
            return null;
        var json = Fido2For(context).GetAssertionOptions(new GetAssertionOptionsParams
        {
            AllowedCredentials = allowed,
            UserVerification = UserVerificationRequirement.Preferred,
        }).ToJson();
        await SetPendingAsync(session, json, cancellationToken);
        return json;
    }

    /// <summary>True when the answer signs the pending challenge with one of the user's passkeys; its counter moves on.</summary>
    public async Task<bool> AssertAsync(HttpContext context, ConsoleSession session, ConsoleUser user, AuthenticatorAssertionRawResponse response, CancellationToken cancellationToken)
    {
        if (await TakePendingAsync(session, cancellationToken) is not { } pending)
            return false;
        await using var db = contexts.CreateDbContext();
        var credentialId = System.Buffers.Text.Base64Url.DecodeFromChars(response.Id);
        var passkey = await db.Set<ConsolePasskey>().SingleOrDefaultAsync(p => p.CredentialId == credentialId && p.UserId == user.Id, cancellationToken);
        if (passkey is null)
            return false;
        try
        {
            var result = await Fido2For(context).MakeAssertionAsync(new MakeAssertionParams
            {
                AssertionResponse = response,
                OriginalOptions = AssertionOptions.FromJson(pending),
                StoredPublicKey = passkey.PublicKey,
                StoredSignatureCounter = (uint)passkey.SignCount,
                IsUserHandleOwnerOfCredentialIdCallback = (args, _) => Task.FromResult(args.UserHandle is null || args.UserHandle.AsSpan().SequenceEqual(user.Id.ToByteArray())),
            }, cancellationToken);
            passkey.SignCount = result.SignCount;
            await db.SaveChangesAsync(cancellationToken);
            return true;
        }
        catch (Fido2VerificationException)
        {
            return false;
        }
    }

    async Task<List<PublicKeyCredentialDescriptor>> DescriptorsAsync(Guid userId, CancellationToken cancellationToken)
    {
        await using var db = contexts.CreateDbContext();
        return (await db.Set<ConsolePasskey>().Where(p => p.UserId == userId).Select(p => p.CredentialId).ToListAsync(cancellationToken))
            .Select(id => new PublicKeyCredentialDescriptor(id)).ToList();
    }

    async Task SetPendingAsync(ConsoleSession session, string json, CancellationToken cancellationToken)
    {
        await using var db = contexts.CreateDbContext();
        await db.Set<ConsoleSession>().Where(s => s.Id == session.Id).ExecuteUpdateAsync(s => s.SetProperty(x => x.PendingWebAuthn, json), cancellationToken);
    }

    /// <summary>Claims the pending options once: a second answer to the same challenge finds none.</summary>
    async Task<string?> TakePendingAsync(ConsoleSession session, CancellationToken cancellationToken)
    {
        if (session.PendingWebAuthn is not { } pending)
            return null;
        await using var db = contexts.CreateDbContext();
        var taken = await db.Set<ConsoleSession>().Where(s => s.Id == session.Id && s.PendingWebAuthn == pending)
            .ExecuteUpdateAsync(s => s.SetProperty(x => x.PendingWebAuthn, (string?)null), cancellationToken);
        return taken == 1 ? pending : null;
    }

    /// <summary>Origins: the public address, and the same host on the port this connection came in on (a node reached directly).</summary>
    Fido2 Fido2For(HttpContext context)
    {
        var publicUrl = new Uri(options.Value.PublicUrl);
        return new(new Fido2Configuration
        {
            RPID = publicUrl.Host,
            RPName = "Contacto",
            Origins = new HashSet<string> { publicUrl.GetLeftPart(UriPartial.Authority), $"https://{publicUrl.Host}:{context.Connection.LocalPort}" },
        });
    }
}
