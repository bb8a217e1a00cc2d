using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Contacto.Api;

/// <summary>
/// The Plivo-compatible API root, <c>/v1/Account/{auth_id}/</c>. Every capability maps its
/// endpoints on the group this returns, which requires the API's authentication scheme, so none
/// can forget authentication and tenancy.
/// </summary>
public static partial class AccountApi
{
    public const string Root = "/v1/Account/{auth_id}";

    /// <summary>The authentication scheme of the account API (HTTP Basic with an Auth ID and its Auth Token), which Auth registers.</summary>
    public const string Scheme = "ContactoApi";

    /// <summary>What every endpoint of the account API requires: a caller authenticated by <see cref="Scheme"/>.</summary>
    public static readonly AuthorizationPolicy Policy = new AuthorizationPolicyBuilder(Scheme).RequireAuthenticatedUser().Build();

    public static RouteGroupBuilder MapAccountApi(this IEndpointRouteBuilder endpoints) =>
        endpoints.MapGroup(Root).RequireAuthorization(Policy);

    /// <summary>
    /// Before routing: the official SDK fetches the account at <c>/v1/Account/{id}//</c>
    /// (its action is "/"); route it as <c>/v1/Account/{id}/</c>.
    /// </summary>
    public static IApplicationBuilder UseAccountPathNormalisation(this IApplicationBuilder app) => app.Use((context, next) =>
    {
        if (context.Request.Path.Value is { } path && DoubleSlashAccountRoot().IsMatch(path))
            context.Request.Path = new PathString(path[..^1]);
        return next(context);
    });

    [GeneratedRegex("^/v1/Account/[^/]+//$")]
    private static partial Regex DoubleSlashAccountRoot();
}
