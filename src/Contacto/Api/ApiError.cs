using Microsoft.AspNetCore.Http;

namespace Contacto.Api;

/// <summary>
/// An error in the API's shape: <c>{"api_id": ..., "error": ...}</c> with its HTTP status.
/// Thrown from anywhere in request code; <see cref="ApiErrorMiddleware"/> writes it.
/// </summary>
public sealed class ApiException(int status, string message, TimeSpan? retryAfter = null) : Exception(message)
{
    public int Status { get; } = status;
    public TimeSpan? RetryAfter { get; } = retryAfter;

    public static ApiException BadRequest(string message) => new(StatusCodes.Status400BadRequest, message);
    public static ApiException NotFound() => new(StatusCodes.Status404NotFound, "not found");
    public static ApiException Forbidden(string message) => new(StatusCodes.Status403Forbidden, message);
    public static ApiException Unauthorized(string message = "authentication failed") => new(StatusCodes.Status401Unauthorized, message);
}

internal static class ApiResults
{
    static readonly object ApiIdKey = new();

    /// <summary>
    /// The request's api_id: one per request, in its body (success or error) and in the API
    /// request log, so a customer can match the two.
    /// </summary>
    public static string ApiId(HttpContext context)
    {
        if (context.Items[ApiIdKey] is not string id)
            context.Items[ApiIdKey] = id = Guid.CreateVersion7().ToString();
        return id;
    }
}
