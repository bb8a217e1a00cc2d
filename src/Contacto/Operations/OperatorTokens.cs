using Contacto.Audit;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using Contacto.Api;
using Contacto.Storage;
using Microsoft.AspNetCore.Http;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Contacto.Operations;

/// <summary>
/// A token for the ops-plane staff API, issued by <c>contacto ops token create</c> until staff
/// sign-in exists. Only a SHA-256 of its secret is stored; the token is shown once.
/// </summary>
public sealed class OperatorToken
{
    public Guid Id { get; set; }
    public string Name { get; set; } = "";
    public byte[] SecretHash { get; set; } = [];
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset? RevokedAt { get; set; }
}

sealed class OperatorTokenConfiguration : IEntityTypeConfiguration<OperatorToken>
{
    public void Configure(EntityTypeBuilder<OperatorToken> builder)
    {
        builder.ToTable("operator_tokens");
        builder.HasKey(t => t.Id);
        builder.Property(t => t.Name).HasMaxLength(100);
        builder.Property(t => t.SecretHash).HasMaxLength(32);
        builder.Property(t => t.CreatedAt).HasConversion(UnixMilliseconds.Converter);
        builder.Property(t => t.RevokedAt).HasConversion(UnixMilliseconds.NullableConverter);
    }
}

/// <summary>Issues, lists, revokes and verifies operator tokens: <c>cto_op_{id}_{secret}</c>.</summary>
public sealed class OperatorTokenService(IDbContextFactory<ContactoDbContext> contexts, TimeProvider time)
{
    const string Prefix = "cto_op_";
    const string Alphanumerics = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    const int SecretLength = 40;

    public async Task<(OperatorToken Token, string Presentable)> CreateAsync(string name, CancellationToken cancellationToken)
    {
        var secret = RandomNumberGenerator.GetString(Alphanumerics, SecretLength);
        var token = new OperatorToken { Id = Guid.CreateVersion7(), Name = name, SecretHash = Hash(secret), CreatedAt = time.GetUtcNow() };
        await using var db = contexts.CreateDbContext();
        db.Add(token);
        await db.SaveChangesAsync(cancellationToken);
        return (token, $"{Prefix}{token.Id:N}_{secret}");
    }

    public async Task<IReadOnlyList<OperatorToken>> ListAsync(CancellationToken cancellationToken)
    {
        await using var db = contexts.CreateDbContext();
        return await db.Set<OperatorToken>().AsNoTracking().OrderBy(t => t.CreatedAt).ToListAsync(cancellationToken);
    }

    public async Task<bool> RevokeAsync(Guid id, CancellationToken cancellationToken)
    {
        await using var db = contexts.CreateDbContext();
        return await db.Set<OperatorToken>().Where(t => t.Id == id && t.RevokedAt == null)
            .ExecuteUpdateAsync(t => t.SetProperty(x => x.RevokedAt, time.GetUtcNow()), cancellationToken) == 1;
    }

    /// <summary>The live token <paramref name="presented"/> names, if its secret matches (compared in constant time).</summary>
    public async Task<OperatorToken?> VerifyAsync(string presented, CancellationToken cancellationToken)
    {
        var parts = presented.StartsWith(Prefix, StringComparison.Ordinal) ? presented[Prefix.Length..].Split('_') : [];
        if (parts.Length != 2 || !Guid.TryParseExact(parts[0], "N", out var id) || parts[1].Length != SecretLength)
            return null;
        await using var db = contexts.CreateDbContext();
        var token = await db.Set<OperatorToken>().AsNoTracking().SingleOrDefaultAsync(t => t.Id == id && t.RevokedAt == null, cancellationToken);
        return token is not null && CryptographicOperations.FixedTimeEquals(token.SecretHash, Hash(parts[1])) ? token : null;
    }

    // The secret is 238 random bits: a fast hash is enough, a slow one would only slow every request.
    static byte[] Hash(string secret) => SHA256.HashData(Encoding.UTF8.GetBytes(secret));
}

/// <summary>Bearer operator tokens on the staff API; failures are security events and get the API's 401.</summary>
internal sealed class OperatorAuthentication(OperatorTokenService tokens, ISecurityEventSink events) : IEndpointFilter
{
    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext invocation, EndpointFilterDelegate next)
    {
        var context = invocation.HttpContext;
        var presented = AuthenticationHeaderValue.TryParse(context.Request.Headers.Authorization, out var header)
                        && string.Equals(header.Scheme, "Bearer", StringComparison.OrdinalIgnoreCase) && header.Parameter is { Length: <= 256 } value
            ? value
            : null;
        var token = presented is null ? null : await tokens.VerifyAsync(presented, context.RequestAborted);
        if (token is null)
        {
            await events.RecordAsync(new SecurityEvent(SecurityEventKind.AuthenticationFailed, null, null, context.Connection.RemoteIpAddress,
                context.Request.Headers.UserAgent.ToString(), presented is null ? "no operator token" : "unknown or revoked operator token"), context.RequestAborted);
            context.Response.Headers.WWWAuthenticate = "Bearer realm=\"Contacto operations\"";
            throw ApiException.Unauthorized("an operator token is required: Authorization: Bearer <token>");
        }
        return await next(invocation);
    }
}
