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

public static class ApiResults
{
    /// <summary>Every API body carries an api_id; errors and successes alike.</summary>
    public static string NewApiId() => Guid.CreateVersion7().ToString();

    public static IResult Error(int status, string message) =>
        Results.Json(new { api_id = NewApiId(), error = message }, statusCode: status);
}
