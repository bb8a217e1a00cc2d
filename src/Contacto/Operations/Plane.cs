using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Connections.Features;
using Microsoft.AspNetCore.Http;

namespace Contacto.Operations;

/// <summary>
/// Which listener a connection arrived on. Endpoints declare their plane; a request for an
/// endpoint of the other plane is answered as if the path did not exist.
/// </summary>
public enum Plane
{
    Public,
    Ops,
}

internal sealed record PlaneMetadata(Plane Plane);

public static class Planes
{
    const string ItemKey = "contacto.plane";

    /// <summary>Connection middleware that stamps each connection of a listener with its plane.</summary>
    public static Func<ConnectionDelegate, ConnectionDelegate> Stamp(Plane plane) => next => connection =>
    {
        connection.Items[ItemKey] = plane;
        return next(connection);
    };

    /// <summary>
    /// Connection middleware that closes a client source's connections beyond <paramref name="limit"/>
    /// open at once on this listener, sources <paramref name="exempt"/> says multiplex others excepted.
    /// </summary>
    public static Func<ConnectionDelegate, ConnectionDelegate> LimitPerSource(int limit, Func<System.Net.IPAddress, bool> exempt) =>
        new SourceConnections(limit, exempt).Wrap;

    public static Plane Of(HttpContext context) =>
        context.Features.Get<IConnectionItemsFeature>()?.Items.TryGetValue(ItemKey, out var plane) == true && plane is Plane p
            ? p
            : Plane.Public;

    /// <summary>Puts the endpoints of a group on the ops plane.</summary>
    public static TBuilder OnOpsPlane<TBuilder>(this TBuilder builder) where TBuilder : IEndpointConventionBuilder =>
        builder.WithMetadata(new PlaneMetadata(Plane.Ops));

    /// <summary>After routing: hide every endpoint from the plane it does not belong to (default: public).</summary>
    public static IApplicationBuilder UsePlaneSeparation(this IApplicationBuilder app) => app.Use(async (context, next) =>
    {
        var endpoint = context.GetEndpoint();
        var required = endpoint?.Metadata.GetMetadata<PlaneMetadata>()?.Plane ?? Plane.Public;
        if (endpoint is not null && required != Of(context))
        {
            context.SetEndpoint(null);
            context.Response.StatusCode = StatusCodes.Status404NotFound;
            return;
        }
        await next(context);
    });
}
