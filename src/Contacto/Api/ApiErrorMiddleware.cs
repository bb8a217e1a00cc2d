using Contacto.Platform;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Contacto.Api;

/// <summary>
/// Gives every failure under <c>/v1/</c> (and the staff API's <c>/ops/</c>) the API's error shape: thrown <see cref="ApiException"/>s,
/// oversize or malformed requests, unmatched routes and methods, writes that lost a race to another
/// request, and unexpected faults (as a bare
/// 500 that reveals nothing).
/// </summary>
public static partial class ApiErrorMiddleware
{
    public const string Prefix = "/v1/";

    /// <summary>The staff API on the ops plane answers in the same shape.</summary>
    public const string StaffPrefix = "/ops";

    public static IApplicationBuilder UseApiErrors(this IApplicationBuilder app) => app.Use(async (context, next) =>
    {
        if (!context.Request.Path.StartsWithSegments("/v1") && !context.Request.Path.StartsWithSegments(StaffPrefix))
        {
            await next(context);
            return;
        }
        try
        {
            await next(context);
            if (context.Response is { HasStarted: false, StatusCode: >= 400 } response && response.ContentLength is null or 0)
                await WriteAsync(context, response.StatusCode, DefaultMessage(response.StatusCode), null);
        }
        catch (ApiException e) when (!context.Response.HasStarted)
        {
            await WriteAsync(context, e);
        }
        catch (UnavailableException e) when (!context.Response.HasStarted)
        {
            // Fail closed: without the part it needs (its audit record, say) the action was refused, and nothing was done.
            await WriteAsync(context, StatusCodes.Status503ServiceUnavailable, e.PublicMessage, null);
        }
        catch (DbUpdateConcurrencyException) when (!context.Response.HasStarted)
        {
            // Another request changed or removed the same row first (an update racing a delete): the client's to retry, not a fault.
            await WriteAsync(context, StatusCodes.Status409Conflict, "the resource was changed or removed by another request meanwhile; read it again", null);
        }
        catch (BadHttpRequestException e) when (!context.Response.HasStarted)
        {
            await WriteAsync(context, e.StatusCode, e.StatusCode == StatusCodes.Status413PayloadTooLarge ? "request body too large" : "bad request", null);
        }
        catch (Exception e) when (!context.Response.HasStarted && e is not OperationCanceledException)
        {
            if (context.RequestServices.GetService<ILoggerFactory>() is { } loggers)
                LogUnhandled(loggers.CreateLogger("Contacto.Api"), e, context.Request.Method, context.Request.Path);
            await WriteAsync(context, StatusCodes.Status500InternalServerError, "internal error", null);
        }
    });

    /// <summary>
    /// Before anything reads a body, on every path: a Content-Type that does not parse, or names a
    /// charset the runtime will not decode (utf-7), is the client's 415. The framework's form reader,
    /// the console's antiforgery check among its callers, would otherwise throw it as a server fault.
    /// </summary>
    public static IApplicationBuilder UseContentTypeCheck(this IApplicationBuilder app) => app.Use(async (context, next) =>
    {
        // Any request that names one, body or not: the console reads a form from a bodiless POST too.
        if (context.Request.ContentType is not { } contentType || IsReadable(contentType))
        {
            await next(context);
            return;
        }
        if (context.Request.Path.StartsWithSegments("/v1") || context.Request.Path.StartsWithSegments(StaffPrefix))
            await WriteAsync(context, StatusCodes.Status415UnsupportedMediaType, "the Content-Type header is malformed or names an unsupported charset", null);
        else
            context.Response.StatusCode = StatusCodes.Status415UnsupportedMediaType;
    });

    static bool IsReadable(string contentType)
    {
        if (!Microsoft.Net.Http.Headers.MediaTypeHeaderValue.TryParse(contentType, out var parsed))
            return false;
        try
        {
            _ = parsed.Encoding;
            return true;
        }
        catch (NotSupportedException)
        {
            return false;
        }
    }

    static string DefaultMessage(int status) => status switch
    {
        StatusCodes.Status401Unauthorized => "authentication failed",
        StatusCodes.Status404NotFound => "not found",
        StatusCodes.Status405MethodNotAllowed => "method not allowed",
        StatusCodes.Status413PayloadTooLarge => "request body too large",
        StatusCodes.Status415UnsupportedMediaType => "unsupported content type",
        StatusCodes.Status429TooManyRequests => "too many requests",
        _ => "bad request",
    };

    /// <summary>Answers with <paramref name="error"/> in the API's shape, for code that answers instead of throwing (authentication's challenge).</summary>
    public static Task WriteAsync(HttpContext context, ApiException error) => WriteAsync(context, error.Status, error.Message, error.RetryAfter);

    static async Task WriteAsync(HttpContext context, int status, string message, TimeSpan? retryAfter)
    {
        // Headers already set (HSTS, WWW-Authenticate) stay; only the status and body are ours.
        context.Response.StatusCode = status;
        if (retryAfter is { } wait)
            context.Response.Headers.RetryAfter = Math.Max(1, (int)Math.Ceiling(wait.TotalSeconds)).ToString(System.Globalization.CultureInfo.InvariantCulture);
        context.Response.ContentType = "application/json";
        await JsonSerializer.SerializeAsync(context.Response.Body, new { api_id = ApiResults.ApiId(context), error = message });
    }

    [LoggerMessage(EventId = 701, Level = LogLevel.Error, Message = "Unhandled error on {Method} {Path}")]
    static partial void LogUnhandled(ILogger logger, Exception exception, string method, PathString path);
}
