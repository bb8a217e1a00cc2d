using System.Globalization;
using System.Net;
using System.Reflection;
using System.Security.Claims;
using Microsoft.AspNetCore.Http;

namespace Contacto.Api;

/// <summary>
/// The account a request authenticated as, where it came from, and the request's id. Account API
/// handlers take it as a parameter: it binds from the principal the API's authentication scheme
/// (<see cref="AccountApi.Scheme"/>) made, which the route group requires. Audit turns it into the
/// actor of a record (<c>caller.Actor</c>, <c>caller.Entry(...)</c>).
/// </summary>
internal sealed record ApiCaller(Guid AccountId, string AuthId, Guid? ParentId, IPAddress? Source, string UserAgent, string RequestId)
    : IBindableFromHttpContext<ApiCaller>
{
    const string ParentClaim = "contacto:parent_id";

    public bool IsMain => ParentId is null;

    /// <summary>The principal of an authenticated account: its id as the name identifier, its Auth ID as the name.</summary>
    public static ClaimsPrincipal Principal(Guid accountId, string authId, Guid? parentId, string scheme)
    {
        List<Claim> claims =
        [
            new(ClaimTypes.NameIdentifier, accountId.ToString()),
            new(ClaimTypes.Name, authId),
        ];
        if (parentId is { } parent)
            claims.Add(new Claim(ParentClaim, parent.ToString()));
        return new ClaimsPrincipal(new ClaimsIdentity(claims, scheme));
    }

    public static ValueTask<ApiCaller?> BindAsync(HttpContext context, ParameterInfo parameter)
    {
        var user = context.User;
        if (user.Identity is not { IsAuthenticated: true, AuthenticationType: AccountApi.Scheme, Name: { } authId }
            || !Guid.TryParse(user.FindFirstValue(ClaimTypes.NameIdentifier), CultureInfo.InvariantCulture, out var accountId))
            throw new InvalidOperationException($"{parameter.Member.Name} takes an ApiCaller, but the request did not authenticate by {AccountApi.Scheme}");
        Guid? parentId = Guid.TryParse(user.FindFirstValue(ParentClaim), CultureInfo.InvariantCulture, out var parent) ? parent : null;
        return ValueTask.FromResult<ApiCaller?>(new ApiCaller(accountId, authId, parentId, context.Connection.RemoteIpAddress,
            context.Request.Headers.UserAgent.ToString(), ApiResults.ApiId(context)));
    }
}
