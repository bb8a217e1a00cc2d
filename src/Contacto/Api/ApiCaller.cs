using System.Globalization;
using System.Reflection;
using System.Security.Claims;
using Contacto.Accounts;
using Contacto.Api;
using Contacto.Audit;
using Microsoft.AspNetCore.Http;

namespace Contacto.Auth;

/// <summary>
/// The account a request authenticated as, and the actor its audit records name (the credential,
/// the source address and the user agent). Account API handlers take it as a parameter: it binds
/// from the principal <see cref="ApiAuthenticationHandler"/> made, which the route group requires.
/// </summary>
public sealed record ApiCaller(Guid AccountId, string AuthId, Guid? ParentId, AuditActor Actor, string RequestId)
    : IBindableFromHttpContext<ApiCaller>
{
    const string ParentClaim = "contacto:parent_id";

    public bool IsMain => ParentId is null;

    /// <summary>An entry in <paramref name="accountId"/>'s chain (by default the caller's own) with this request as its actor.</summary>
    public AuditEntry Entry(string action, string resourceType, string? resourceId, Guid? accountId = null) =>
        new(accountId ?? AccountId, Actor, action, resourceType, resourceId, RequestId: RequestId);

    /// <summary>The principal of an authenticated account: its id as the name identifier, its Auth ID as the name.</summary>
    internal static ClaimsPrincipal Principal(Account account, string scheme)
    {
        List<Claim> claims =
        [
            new(ClaimTypes.NameIdentifier, account.Id.ToString()),
            new(ClaimTypes.Name, account.AuthId),
        ];
        if (account.ParentId is { } parent)
            claims.Add(new Claim(ParentClaim, parent.ToString()));
        return new ClaimsPrincipal(new ClaimsIdentity(claims, scheme));
    }

    public static ValueTask<ApiCaller?> BindAsync(HttpContext context, ParameterInfo parameter)
    {
        var user = context.User;
        if (user.Identity is not { IsAuthenticated: true, AuthenticationType: ApiAuthenticationOptions.Scheme, Name: { } authId }
            || !Guid.TryParse(user.FindFirstValue(ClaimTypes.NameIdentifier), CultureInfo.InvariantCulture, out var accountId))
            throw new InvalidOperationException($"{parameter.Member.Name} takes an ApiCaller, but the request did not authenticate by {ApiAuthenticationOptions.Scheme}");
        Guid? parentId = Guid.TryParse(user.FindFirstValue(ParentClaim), CultureInfo.InvariantCulture, out var parent) ? parent : null;
        var actor = new AuditActor(ActorKind.ApiCredential, accountId.ToString(), authId,
            AuditText.Address(context.Connection.RemoteIpAddress), context.Request.Headers.UserAgent.ToString());
        return ValueTask.FromResult<ApiCaller?>(new ApiCaller(accountId, authId, parentId, actor, ApiResults.ApiId(context)));
    }
}
