using System.Security.Cryptography;
using System.Text.Json;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.Http;

namespace Contacto.Console;

/// <summary>
/// Recovery codes just issued, kept for the session that asked for them so that their page survives a
/// reload and offers a download, for <see cref="Lifetime"/> at most. The database keeps only the
/// codes' hashes, so they live in the browser: in a <c>__Host-</c> cookie (Secure, HttpOnly,
/// SameSite=Strict), protected (encrypted and authenticated) by the console's data protection keys,
/// and good only with that session's cookie. Signing out deletes it.
/// </summary>
internal sealed class FreshRecoveryCodes(IDataProtectionProvider protection, TimeProvider time)
{
    const string CookieName = "__Host-contacto-recovery-codes";
    static readonly TimeSpan Lifetime = TimeSpan.FromMinutes(30);

    readonly IDataProtector protector = protection.CreateProtector("Contacto.Console.RecoveryCodes");

    sealed record Kept(Guid SessionId, long ExpiresAt, IReadOnlyList<string> Codes);

    public void Keep(HttpContext context, ConsoleSession session, IReadOnlyList<string> codes) =>
        context.Response.Cookies.Append(CookieName,
            protector.Protect(JsonSerializer.Serialize(new Kept(session.Id, (time.GetUtcNow() + Lifetime).ToUnixTimeSeconds(), codes))), Options(Lifetime));

    /// <summary>The codes <paramref name="session"/> was shown, while they are kept; else null.</summary>
    public IReadOnlyList<string>? Find(HttpContext context, ConsoleSession session)
    {
        if (!context.Request.Cookies.TryGetValue(CookieName, out var value) || value is null)
            return null;
        try
        {
            return JsonSerializer.Deserialize<Kept>(protector.Unprotect(value)) is { } kept && kept.SessionId == session.Id
                   && kept.ExpiresAt > time.GetUtcNow().ToUnixTimeSeconds() ? kept.Codes : null;
        }
        catch (Exception e) when (e is CryptographicException or JsonException)
        {
            return null;
        }
    }

    public static void Forget(HttpContext context) => context.Response.Cookies.Delete(CookieName, Options(null));

    static CookieOptions Options(TimeSpan? maxAge) => new() { Secure = true, HttpOnly = true, SameSite = SameSiteMode.Strict, Path = "/", MaxAge = maxAge };
}
