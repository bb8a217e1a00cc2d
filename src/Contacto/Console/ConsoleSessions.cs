using Contacto.Storage;
using Microsoft.AspNetCore.Http;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Contacto.Console;

/// <summary>
/// The server-side session store behind the console's cookie. Every step up (password, then
/// second factor) ends the old session and issues a new token, so a token planted before sign-in
/// is worthless after it. Idle and absolute time-outs are checked on every request.
/// </summary>
internal sealed class ConsoleSessions(ContactoDbContextFactory contexts, Accounts.AccountService accounts, Crypto.ITenantCrypto crypto, IOptions<ConsoleOptions> options, TimeProvider time)
{
    /// <summary><c>__Host-</c>: the browser sends it only over HTTPS, to this host, for every path, and no subdomain can set it.</summary>
    public const string CookieName = "__Host-contacto-console";

    /// <summary>Seen less recently than this, a request moves the idle clock on (fewer writes).</summary>
    static readonly TimeSpan TouchEvery = TimeSpan.FromSeconds(30);

    /// <summary>Ends <paramref name="previous"/> if any, opens a new session at <paramref name="stage"/> and sets its cookie.</summary>
    public async Task<ConsoleSession> StartAsync(HttpContext context, ConsoleUser user, SessionStage stage, ConsoleSession? previous, CancellationToken cancellationToken)
    {
        var token = ConsoleText.NewSecretToken();
        var now = time.GetUtcNow();
        var session = new ConsoleSession
        {
            Id = Guid.CreateVersion7(),
            TokenHash = ConsoleText.Hash(token),
            UserId = user.Id,
            AccountId = user.AccountId,
            Stage = stage,
            CreatedAt = now,
            LastSeenAt = now,
            ExpiresAt = now + (stage == SessionStage.SignedIn ? options.Value.AbsoluteTimeout : options.Value.SecondFactorTimeout),
            ReauthenticatedAt = stage == SessionStage.SignedIn ? now : null,
        };
        await using var db = contexts.CreateDbContext();
        db.Add(session);
        if (previous is not null)
            await db.Set<ConsoleSession>().Where(s => s.Id == previous.Id).ExecuteUpdateAsync(s => s.SetProperty(x => x.RevokedAt, now), cancellationToken);
        await db.SaveChangesAsync(cancellationToken);
        context.Response.Cookies.Append(CookieName, token, new CookieOptions
        {
            Secure = true,
            HttpOnly = true,
            SameSite = SameSiteMode.Strict,
            Path = "/",
            IsEssential = true,
        });
        return session;
    }

    /// <summary>The live session the request's cookie names, with its user; null when none, ended or timed out.</summary>
    public async Task<(ConsoleSession Session, ConsoleUser User)?> FindAsync(HttpContext context, CancellationToken cancellationToken)
    {
        if (!context.Request.Cookies.TryGetValue(CookieName, out var token) || token is not { Length: > 0 and < 100 })
            return null;
        var hash = ConsoleText.Hash(token);
        var now = time.GetUtcNow();
        await using var db = contexts.CreateDbContext();
        var found = await db.Set<ConsoleSession>()
            .Where(s => s.TokenHash == hash && s.RevokedAt == null)
            .Join(db.Set<ConsoleUser>().Where(u => u.Enabled), s => s.UserId, u => u.Id, (s, u) => new { Session = s, User = u })
            .SingleOrDefaultAsync(cancellationToken);
        if (found is null || now >= found.Session.ExpiresAt || now - found.Session.LastSeenAt >= options.Value.IdleTimeout)
            return null;
        if (!await accounts.IsActiveAsync(found.User.AccountId, cancellationToken))
            return null;
        if (now - found.Session.LastSeenAt >= TouchEvery)
        {
            found.Session.LastSeenAt = now;
            await db.SaveChangesAsync(cancellationToken);
        }
        return (found.Session, await ConsoleEmails.OpenAsync(crypto, found.User, cancellationToken));
    }

    public async Task MarkReauthenticatedAsync(ConsoleSession session, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        await using var db = contexts.CreateDbContext();
        await db.Set<ConsoleSession>().Where(s => s.Id == session.Id).ExecuteUpdateAsync(s => s.SetProperty(x => x.ReauthenticatedAt, now), cancellationToken);
        session.ReauthenticatedAt = now;
    }

    public bool RecentlyReauthenticated(ConsoleSession session) =>
        session.ReauthenticatedAt is { } at && time.GetUtcNow() - at < options.Value.ReauthenticationWindow;

    /// <summary>After a change of factors: every other session of the user ends (in the caller's transaction).</summary>
    public static Task EndOthersAsync(ContactoDbContext db, ConsoleSession keep, DateTimeOffset now, CancellationToken cancellationToken) =>
        db.Set<ConsoleSession>().Where(s => s.UserId == keep.UserId && s.Id != keep.Id && s.RevokedAt == null)
            .ExecuteUpdateAsync(s => s.SetProperty(x => x.RevokedAt, now), cancellationToken);

    /// <summary>Ends one session, or with <paramref name="everywhere"/> all the user's sessions; clears the cookie.</summary>
    public async Task EndAsync(HttpContext context, ConsoleSession session, bool everywhere, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        await using var db = contexts.CreateDbContext();
        await db.Set<ConsoleSession>().Where(s => (everywhere ? s.UserId == session.UserId : s.Id == session.Id) && s.RevokedAt == null)
            .ExecuteUpdateAsync(s => s.SetProperty(x => x.RevokedAt, now), cancellationToken);
        context.Response.Cookies.Delete(CookieName, new CookieOptions { Secure = true, HttpOnly = true, SameSite = SameSiteMode.Strict, Path = "/" });
    }
}
