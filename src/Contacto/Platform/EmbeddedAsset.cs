using System.Reflection;
using Microsoft.AspNetCore.Http;

namespace Contacto.Platform;

/// <summary>Static files compiled into the platform (scripts, style sheets), served so pages need no inline code.</summary>
internal static class EmbeddedAsset
{
    public static IResult Result(string resourceName, string contentType)
    {
        using var stream = Assembly.GetExecutingAssembly().GetManifestResourceStream(resourceName)
                           ?? throw new InvalidOperationException($"The asset {resourceName} is not embedded");
        using var copy = new MemoryStream();
        stream.CopyTo(copy);
        return Results.Bytes(copy.ToArray(), contentType);
    }
}
