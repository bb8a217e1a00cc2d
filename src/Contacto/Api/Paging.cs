using Microsoft.AspNetCore.Http;

namespace Contacto.Api;

/// <summary>Plivo's list shape: <c>limit</c> 1..20 (default 20), <c>offset</c>, and a <c>meta</c> with relative next/previous links.</summary>
internal readonly record struct Paging(int Limit, int Offset)
{
    public const int MaxLimit = 20;
    public static readonly string[] ParameterNames = ["limit", "offset"];

    public static Paging From(ApiParameters parameters) =>
        new((int)(parameters.Integer("limit", 1, MaxLimit) ?? MaxLimit), (int)(parameters.Integer("offset", 0, int.MaxValue) ?? 0));

    public IResult Page<T>(HttpRequest request, IReadOnlyList<T> objects, long totalCount) =>
        Results.Json(new
        {
            api_id = ApiResults.ApiId(request.HttpContext),
            meta = new
            {
                limit = Limit,
                next = Offset + Limit < totalCount ? Link(request, Offset + Limit) : null,
                offset = Offset,
                previous = Offset > 0 ? Link(request, Math.Max(0, Offset - Limit)) : null,
                total_count = totalCount,
            },
            objects,
        });

    string Link(HttpRequest request, int offset)
    {
        var query = request.Query
            .Where(q => q.Key is not ("limit" or "offset"))
            .SelectMany(q => q.Value.Select(v => $"{Uri.EscapeDataString(q.Key)}={Uri.EscapeDataString(v ?? "")}"))
            .Prepend($"offset={offset}").Prepend($"limit={Limit}");
        return $"{request.PathBase}{request.Path}?{string.Join('&', query)}";
    }
}
