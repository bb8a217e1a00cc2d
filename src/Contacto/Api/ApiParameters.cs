using System.Globalization;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.Net.Http.Headers;

namespace Contacto.Api;

/// <summary>
/// The parameters of one API request, read the way Plivo clients send them: the query string for
/// GET, a JSON object (values as JSON types or as their string forms) or a form for POST and
/// DELETE. Bodies on GET are ignored. Unknown names, duplicate names and values of the wrong type
/// are refused with a 400 that names the parameter.
/// </summary>
internal sealed class ApiParameters
{
    readonly Dictionary<string, JsonElement> values;

    ApiParameters(Dictionary<string, JsonElement> values) => this.values = values;

    public static async Task<ApiParameters> ReadAsync(HttpRequest request, IReadOnlyCollection<string> allowed)
    {
        var values = HttpMethods.IsGet(request.Method) || HttpMethods.IsHead(request.Method)
            ? FromPairs(request.Query.Select(q => (q.Key, q.Value.ToString())))
            : await ReadBodyAsync(request);
        foreach (var name in values.Keys)
            if (!allowed.Contains(name))
                throw ApiException.BadRequest($"unknown parameter: {Printable(name)}");
        return new ApiParameters(values);
    }

    public bool Has(string name) => values.ContainsKey(name);

    public string? String(string name, int maxLength = 255, bool required = false)
    {
        if (!values.TryGetValue(name, out var value) || value.ValueKind == JsonValueKind.Null)
            return required ? throw ApiException.BadRequest($"{name} is required") : null;
        var text = value.ValueKind switch
        {
            JsonValueKind.String => value.GetString()!,
            JsonValueKind.Number => value.GetRawText(),
            _ => throw ApiException.BadRequest($"{name} must be a string"),
        };
        if (required && text.Length == 0)
            throw ApiException.BadRequest($"{name} is required");
        if (text.Length > maxLength)
            throw ApiException.BadRequest($"{name} is longer than {maxLength} characters");
        if (text.Any(c => char.IsControl(c) && c is not ('\n' or '\r' or '\t')))
            throw ApiException.BadRequest($"{name} contains control characters");
        return text;
    }

    public bool? Bool(string name)
    {
        if (!values.TryGetValue(name, out var value) || value.ValueKind == JsonValueKind.Null)
            return null;
        return value.ValueKind switch
        {
            JsonValueKind.True => true,
            JsonValueKind.False => false,
            JsonValueKind.String when bool.TryParse(value.GetString(), out var parsed) => parsed,
            _ => throw ApiException.BadRequest($"{name} must be true or false"),
        };
    }

    /// <summary>A boolean (as "true" or "false") or one of <paramref name="choices"/>, as Plivo's <c>log</c> takes.</summary>
    public string? BoolOrChoice(string name, IReadOnlyCollection<string> choices)
    {
        if (!values.TryGetValue(name, out var value) || value.ValueKind == JsonValueKind.Null)
            return null;
        return value.ValueKind switch
        {
            JsonValueKind.True => "true",
            JsonValueKind.False => "false",
            JsonValueKind.String when bool.TryParse(value.GetString(), out var parsed) => parsed ? "true" : "false",
            JsonValueKind.String when choices.Contains(value.GetString()!) => value.GetString(),
            _ => throw ApiException.BadRequest($"{name} must be true, false or one of: {string.Join(", ", choices)}"),
        };
    }

    public long? Integer(string name, long min, long max)
    {
        if (!values.TryGetValue(name, out var value) || value.ValueKind == JsonValueKind.Null)
            return null;
        long? parsed = value.ValueKind switch
        {
            JsonValueKind.Number when value.TryGetInt64(out var n) => n,
            JsonValueKind.String when long.TryParse(value.GetString(), NumberStyles.None, CultureInfo.InvariantCulture, out var n) => n,
            _ => null,
        };
        if (parsed is not { } result || result < min || result > max)
            throw ApiException.BadRequest($"{name} must be a whole number from {min} to {max}");
        return result;
    }

    static readonly string[] PlivoTimeFormats = ["yyyy-MM-dd HH:mm", "yyyy-MM-dd HH:mm:ss", "yyyy-MM-dd HH:mm:ss.FFFFFF", "yyyy-MM-dd"];

    /// <summary>A UTC instant as Plivo writes them (<c>2024-01-01 00:00[:ss[.ffffff]]</c>) or ISO 8601 with an offset.</summary>
    public DateTimeOffset? Time(string name)
    {
        var text = String(name, 40);
        if (text is null)
            return null;
        if (DateTime.TryParseExact(text, PlivoTimeFormats, CultureInfo.InvariantCulture,
                DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal, out var utc))
            return new DateTimeOffset(utc, TimeSpan.Zero);
        if (text.Contains('T') && DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.None, out var instant))
            return instant;
        throw ApiException.BadRequest($"{name} must be a time like 2024-01-31 23:59:59 (UTC)");
    }

    /// <summary>One of <paramref name="allowed"/>, exactly as spelled.</summary>
    public string? Choice(string name, IReadOnlyCollection<string> allowed)
    {
        var text = String(name, 64);
        return text is null || allowed.Contains(text)
            ? text
            : throw ApiException.BadRequest($"{name} must be one of: {string.Join(", ", allowed)}");
    }

    /// <summary>
    /// Every way a body can be unreadable is the client's error, answered here for every endpoint:
    /// a Content-Type that is not ours (415; one that does not parse never gets here, see
    /// <see cref="ApiErrorMiddleware.UseContentTypeCheck"/>), a form the form reader refuses (a NUL,
    /// a key over its length limit: 400 naming it), JSON that does not parse or holds a string that
    /// does not decode (400).
    /// </summary>
    static async Task<Dictionary<string, JsonElement>> ReadBodyAsync(HttpRequest request)
    {
        if (request.ContentLength == 0)
            return [];
        string? mediaType = null;
        if (request.ContentType is { } contentType)
            mediaType = MediaTypeHeaderValue.TryParse(contentType, out var parsed) && parsed.MediaType.HasValue
                ? parsed.MediaType.Value!.ToLowerInvariant()
                : throw UnsupportedMediaType();
        if (mediaType == "application/x-www-form-urlencoded")
        {
            IFormCollection form;
            try
            {
                form = await request.ReadFormAsync(request.HttpContext.RequestAborted);
            }
            catch (InvalidDataException e)
            {
                // The form reader's own words name the problem without echoing the input ("Form key length limit 2048 exceeded.").
                throw ApiException.BadRequest($"malformed form body: {e.Message}");
            }
            return FromPairs(form.Select(f => (f.Key, f.Value.ToString())));
        }
        using var buffer = new MemoryStream();
        await request.Body.CopyToAsync(buffer, request.HttpContext.RequestAborted);
        if (buffer.Length == 0)
            return [];
        if (mediaType is not null && mediaType != "application/json" && !mediaType.EndsWith("+json", StringComparison.Ordinal))
            throw UnsupportedMediaType();
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(buffer.ToArray(), new JsonDocumentOptions { MaxDepth = 16 });
        }
        catch (JsonException)
        {
            throw ApiException.BadRequest("malformed JSON body");
        }
        using (document)
        {
            var root = document.RootElement;
            // JsonDocument decodes strings only when read: an invalid UTF-8 sequence or a lone surrogate escape would fail later, far from here.
            if (!StringsDecode(root))
                throw ApiException.BadRequest("malformed JSON body: a string is not valid UTF-8 or UTF-16");
            // The official SDK sends the JSON string "" as the body of requests without parameters.
            if (root.ValueKind == JsonValueKind.String && root.GetString() == "")
                return [];
            if (root.ValueKind != JsonValueKind.Object)
                throw ApiException.BadRequest("the JSON body must be an object");
            var result = new Dictionary<string, JsonElement>(StringComparer.Ordinal);
            foreach (var property in root.EnumerateObject())
                if (!result.TryAdd(property.Name, property.Value.Clone()))
                    throw ApiException.BadRequest($"duplicate parameter: {Printable(property.Name)}");
            return result;
        }
    }

    static ApiException UnsupportedMediaType() =>
        new(StatusCodes.Status415UnsupportedMediaType, "send parameters as application/json or application/x-www-form-urlencoded");

    static bool StringsDecode(JsonElement element)
    {
        try
        {
            switch (element.ValueKind)
            {
                case JsonValueKind.String:
                    _ = element.GetString();
                    return true;
                case JsonValueKind.Array:
                    return element.EnumerateArray().All(StringsDecode);
                case JsonValueKind.Object:
                    foreach (var property in element.EnumerateObject())
                    {
                        _ = property.Name;
                        if (!StringsDecode(property.Value))
                            return false;
                    }
                    return true;
                default:
                    return true;
            }
        }
        catch (InvalidOperationException)
        {
            return false;
        }
    }

    static Dictionary<string, JsonElement> FromPairs(IEnumerable<(string Key, string Value)> pairs)
    {
        var result = new Dictionary<string, JsonElement>(StringComparer.Ordinal);
        foreach (var (key, value) in pairs)
            if (!result.TryAdd(key, JsonSerializer.SerializeToElement(value)))
                throw ApiException.BadRequest($"duplicate parameter: {Printable(key)}");
        return result;
    }

    /// <summary>Echo names safely: short, and without control characters.</summary>
    static string Printable(string name) =>
        new string(name.Take(64).Select(c => char.IsControl(c) ? '?' : c).ToArray());
}
