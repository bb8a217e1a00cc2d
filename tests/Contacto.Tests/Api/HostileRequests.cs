using System.Text;
using System.Text.Json;
using CsCheck;

namespace Contacto.Tests.Api;

/// <summary>Which credentials a hostile request carries: the caller's own, none, or forged ones.</summary>
internal enum Credentials
{
    Valid,
    None,
    Forged,
}

/// <summary>One generated request, described without its credentials so a failure can be printed.</summary>
internal sealed record HostileRequest(
    MappedEndpoint Target, string Method, string PathAndQuery, Credentials Credentials, string? ForgedAuthorization,
    string? ContentType, byte[]? Body, (string Name, string Value)[] Headers)
{
    public override string ToString() =>
        $"{Method} {Clip(PathAndQuery)} (endpoint {Target.Key}, credentials {Credentials}, content-type {Clip(ContentType ?? "none")}, " +
        $"body {Body?.Length ?? 0} bytes: {Clip(Body is null ? "" : Encoding.Latin1.GetString(Body, 0, Math.Min(Body.Length, 200)))}, " +
        $"headers: {string.Join("; ", Headers.Select(h => $"{h.Name}: {Clip(h.Value)}"))})";

    static string Clip(string text) => JsonSerializer.Serialize(text.Length > 120 ? text[..120] + "…" : text);
}

/// <summary>
/// Generators of hostile requests to the mapped endpoints: odd methods, paths whose parameters are
/// hostile strings, queries, forms and JSON built from the parameters the API takes and from values
/// an attacker tries (control characters, NUL, lone surrogates, huge numbers, deep nesting, long keys,
/// duplicates), odd and malformed content types and headers, forged credentials, and byte mutations
/// of valid requests. Deterministic for a given <see cref="PCG"/>.
/// </summary>
internal sealed class HostileRequests(IReadOnlyList<MappedEndpoint> targets, Func<MappedEndpoint, string, string> validParameter)
{
    static readonly string[] NastyValues =
    [
        "", " ", "\0", "%00", "null", "true", "false", "-1", "0", "1e309", "-0", "9223372036854775808", "-9223372036854775809", "NaN", "Infinity",
        "../../etc/passwd", "..", "/", "//", "\\", "%2F", "%252F", "<script>alert(1)</script>", "' OR '1'='1", "\"; DROP TABLE accounts; --",
        "\u202e", "\ud800", "\udfff", "\uffff", "\ufeff", "😀", "a\r\nX-Injected: 1", "${jndi:ldap://x/a}", "{{7*7}}", "%s%n%x", "\u0085", "\u2028",
        "+351912000001", "+0", "+", "2024-13-45 25:61", "1970-01-01 00:00", "9999-12-31 23:59:59", "0001-01-01T00:00:00+14:00",
        "00000000-0000-0000-0000-000000000000", "auto", "https://127.0.0.1/", "http://169.254.169.254/latest/meta-data/", "file:///etc/passwd",
        "javascript:alert(1)", "GET", "POST", "[]", "{}", "[1,2]", "MA00000000000000000000", "SA00000000000000000000",
    ];

    static readonly string[] ContentTypes =
    [
        "application/json", "application/json; charset=utf-8", "application/json; charset=utf-16", "application/problem+json",
        "application/x-www-form-urlencoded", "application/x-www-form-urlencoded; charset=utf-8", "application/x-www-form-urlencoded; charset=latin1",
        "application/x-www-form-urlencoded; charset=utf-7", "application/x-www-form-urlencoded; charset", "application/x-www-form-urlencoded; ;;==",
        "multipart/form-data; boundary=xyz", "multipart/form-data", "text/plain", "text/xml", "application/octet-stream", "*/*", "",
        "application", "json", "application/json; charset=\"", "application/json;;;", "application/json; charset=utf-7",
    ];

    static readonly string[] Methods = ["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS", "TRACE", "PROPFIND", "get", "FOO-BAR"];

    static readonly string[] HeaderNames =
    [
        "X-Forwarded-For", "X-Forwarded-Proto", "X-Forwarded-Host", "Forwarded", "Cookie", "Accept", "Accept-Charset", "Accept-Language",
        "If-None-Match", "If-Modified-Since", "Range", "Origin", "Referer", "RequestVerificationToken", "User-Agent", "X-HTTP-Method-Override",
        "Content-Encoding", "Content-Language", "X-Request-Id", "traceparent", "tracestate", "baggage",
    ];

    static readonly Gen<string> Printable = Gen.String[Gen.Char[' ', '~'], 0, 60];

    /// <summary>Values that reach a parameter: known hostile ones, any UTF-16 text, plausible text, long runs, numbers.</summary>
    static readonly Gen<string> Value = Gen.Frequency(
        (5, Gen.OneOf(NastyValues)),
        (3, Gen.String[Gen.Char, 0, 40]),
        (3, Gen.String[Gen.Char.AlphaNumeric, 0, 24]),
        (1, Gen.Int[200, 70_000].Select(n => new string('x', n))),
        (2, Gen.Long.Select(n => n.ToString(System.Globalization.CultureInfo.InvariantCulture))),
        (1, Gen.Double.Select(d => d.ToString("R", System.Globalization.CultureInfo.InvariantCulture))));

    readonly Gen<string> name = Gen.Frequency(
        (6, Gen.OneOf([.. ApiSurface.BodyParameters, .. ApiSurface.QueryParameters])),
        (2, Value),
        (1, Gen.Int[2_040, 2_100].Select(n => new string('k', n))));

    /// <summary>A pair as it appears in a query or form: escaped, raw, or with broken percent escapes.</summary>
    static string Encode(string text, int how) => how switch
    {
        0 or 1 or 2 => Uri.EscapeDataString(text),
        3 => text,
        4 => text.Replace("%", "%25", StringComparison.Ordinal) + "%",
        5 => "%" + text,
        6 => Uri.EscapeDataString(text) + "%00",
        _ => Uri.EscapeDataString(text).Replace("%", "%Z", StringComparison.Ordinal),
    };

    Gen<string> Pairs(string separator) =>
        Gen.Select(name, Value, Gen.Int[0, 7], Gen.Int[0, 7]).Array[0, 8]
            .Select(pairs => string.Join(separator, pairs.Select(p => $"{Encode(p.Item1, p.Item3)}={Encode(p.Item2, p.Item4)}")));

    /// <summary>JSON text, well formed or not, with the API's parameter names at the top.</summary>
    static Gen<string> JsonValue(int depth) => depth == 0
        ? JsonScalar
        : Gen.Frequency(
            (5, JsonScalar),
            (1, JsonValue(depth - 1).Array[0, 4].Select(items => "[" + string.Join(",", items) + "]")),
            (1, Gen.Select(Value, JsonValue(depth - 1)).Array[0, 4].Select(members => "{" + string.Join(",", members.Select(m => $"{JsonString(m.Item1)}:{m.Item2}")) + "}")));

    static readonly Gen<string> JsonScalar = Gen.Frequency(
        (4, Value.Select(JsonString)),
        (2, Gen.OneOf("null", "true", "false", "0", "-0", "1e400", "-1e-400", "123456789012345678901234567890", "1.5", "01", "NaN", "\"\\ud800\"", "\"\\u0000\"", "\"\\uZZZZ\"")),
        (1, Gen.Long.Select(n => n.ToString(System.Globalization.CultureInfo.InvariantCulture))));

    static string JsonString(string text) => JsonSerializer.Serialize(text);

    Gen<string> JsonObject => Gen.Select(name, JsonValue(3)).Array[0, 8]
        .Select(members => "{" + string.Join(",", members.Select(m => $"{JsonString(m.Item1)}:{m.Item2}")) + "}");

    /// <summary>Bodies an attacker sends: forms, JSON objects and other JSON, deep nesting, truncation, random bytes.</summary>
    Gen<(string? ContentType, byte[]? Body)> Bodies => Gen.Frequency(
        (4, Pairs("&").Select(f => ((string?)"application/x-www-form-urlencoded", (byte[]?)Encoding.UTF8.GetBytes(f)))),
        (1, Pairs("&").Select(f => ((string?)"application/x-www-form-urlencoded", (byte[]?)Encoding.Latin1.GetBytes(f)))),
        (4, JsonObject.Select(j => ((string?)"application/json", (byte[]?)Encoding.UTF8.GetBytes(j)))),
        (1, JsonValue(4).Select(j => ((string?)"application/json", (byte[]?)Encoding.UTF8.GetBytes(j)))),
        (1, Gen.Select(Gen.Int[17, 5_000], Gen.OneOf("[", "{\"a\":", "[{\"b\":[")).Select((n, open) =>
            ((string?)"application/json", (byte[]?)Encoding.ASCII.GetBytes(string.Concat(Enumerable.Repeat(open, n)))))),
        (1, Gen.Select(JsonObject, Gen.Double[0, 1]).Select((j, cut) => ((string?)"application/json", (byte[]?)Encoding.UTF8.GetBytes(j[..(int)(j.Length * cut)])))),
        (2, Gen.Select(Gen.OneOf<string?>([.. ContentTypes, null]), Gen.Byte.Array[0, 600]).Select((t, b) => (t, (byte[]?)b))),
        (2, Gen.Select(Gen.OneOf<string?>([.. ContentTypes, null]), Gen.Frequency((3, JsonObject), (3, Pairs("&")), (1, Pairs(";")))).Select((t, text) => (t, (byte[]?)Encoding.UTF8.GetBytes(text)))),
        (1, Gen.Const(((string?)null, (byte[]?)null))));

    /// <summary>Headers beside the request's own, printable (a client library refuses the rest), some oversized.</summary>
    static readonly Gen<(string, string)[]> Headers = Gen.Select(
        Gen.Frequency((8, Gen.OneOf(HeaderNames)), (1, Gen.String[Gen.Char.AlphaNumeric, 1, 30])),
        Gen.Frequency((8, Printable), (1, Gen.Int[4_000, 40_000].Select(n => new string('h', n))))).Array[0, 4];

    static readonly Gen<string> ForgedAuthorization = Gen.Frequency(
        (3, Gen.Select(Value, Value).Select((id, token) => "Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes($"{id}:{token}")))),
        (2, Gen.OneOf("Basic", "Basic ", "Basic !!!!", "Basic =", "Basic Og==", "Bearer", "Bearer cto_op_", "Digest username=\"x\"", "basic YTpi", "Basic " + new string('A', 9_000))),
        (1, Printable));

    /// <summary>Fills each route parameter with the endpoint's valid value or a hostile one, escaped as a path segment.</summary>
    Gen<string> Path(MappedEndpoint target)
    {
        var parameters = ApiSurface.Parameters(target.Pattern);
        var path = parameters.Count == 0
            ? Gen.Const(target.Pattern)
            : Gen.Select(Gen.Int[0, 9], Value).Array[parameters.Count].Select(choices =>
            {
                var index = 0;
                return ApiSurface.Fill(target.Pattern, parameter =>
                {
                    var (choice, hostile) = choices[index++];
                    return choice < 7 ? validParameter(target, parameter) : Uri.EscapeDataString(hostile);
                });
            });
        // Now and then the path itself is bent: a trailing segment, a doubled slash, a changed case.
        return Gen.Select(path, Gen.Int[0, 19], Gen.String[Gen.Char.AlphaNumeric, 1, 12]).Select((p, bend, extra) => bend switch
        {
            0 => p + extra,
            1 => p + "/" + extra + "/",
            2 => p.Replace("/", "//", StringComparison.Ordinal),
            3 => p.ToUpperInvariant(),
            4 => p.TrimEnd('/'),
            _ => p,
        });
    }

    /// <summary>Generated hostile requests to <paramref name="target"/>.</summary>
    Gen<HostileRequest> Generated(MappedEndpoint target) => Gen.Select(
            Path(target),
            Gen.Frequency((8, Gen.Const(target.Method)), (2, Gen.OneOf(Methods))),
            Gen.Frequency((3, Gen.Const("")), (2, Pairs("&").Select(q => "?" + q))),
            Gen.Frequency((12, Gen.Const((Credentials.Valid, (string?)null))), (1, Gen.Const((Credentials.None, (string?)null))), (1, ForgedAuthorization.Select(f => (Credentials.Forged, (string?)f)))),
            Bodies,
            Headers)
        .Select((path, method, query, credentials, body, headers) =>
            new HostileRequest(target, method, path + query, credentials.Item1, credentials.Item2, body.ContentType, body.Body, headers));

    /// <summary>A valid request to <paramref name="target"/> (its body as JSON or as a form) with a few bytes changed, inserted, removed or repeated.</summary>
    Gen<HostileRequest> Mutated(MappedEndpoint target)
    {
        var valid = ApiSurface.Bodies.GetValueOrDefault(target.Key);
        var json = valid is null or "" ? "" : JsonSerializer.Serialize(valid);
        var form = valid is null or "" ? "" : string.Join("&", valid.GetType().GetProperties().Select(p =>
            $"{Uri.EscapeDataString(p.Name)}={Uri.EscapeDataString(Convert.ToString(p.GetValue(valid), System.Globalization.CultureInfo.InvariantCulture) ?? "")}"));
        var path = ApiSurface.Fill(target.Pattern, parameter => validParameter(target, parameter));
        var edit = Gen.Select(Gen.Int[0, 4], Gen.Double[0, 1], Gen.Byte, Gen.Int[1, 64]);
        return Gen.Select(Gen.Bool, edit.Array[1, 8], Gen.Int[0, 9]).Select((asJson, edits, pathEdit) =>
        {
            var bytes = new List<byte>(Encoding.UTF8.GetBytes(asJson ? json : form));
            foreach (var (op, at, value, length) in edits)
                Mutate(bytes, op, at, value, length);
            var mutatedPath = pathEdit == 0 ? MutatedPath(path, edits[0]) : path;
            return new HostileRequest(target, target.Method, mutatedPath, Credentials.Valid, null,
                asJson ? "application/json" : "application/x-www-form-urlencoded", [.. bytes], []);
        });
    }

    static void Mutate(List<byte> bytes, int op, double at, byte value, int length)
    {
        var position = (int)(at * bytes.Count);
        switch (op)
        {
            case 0 when bytes.Count > 0:
                bytes[Math.Min(position, bytes.Count - 1)] = value;
                break;
            case 1:
                bytes.Insert(position, value);
                break;
            case 2 when bytes.Count > 0:
                bytes.RemoveRange(Math.Min(position, bytes.Count - 1), Math.Min(length, bytes.Count - Math.Min(position, bytes.Count - 1)));
                break;
            case 3:
                var run = bytes.Skip(position).Take(length).ToList();
                bytes.InsertRange(position, run.Count > 0 ? Enumerable.Repeat(run, 1 + length % 50).SelectMany(r => r) : []);
                break;
            default:
                bytes.RemoveRange(position, bytes.Count - position);
                break;
        }
    }

    static string MutatedPath(string path, (int Op, double At, byte Value, int Length) edit)
    {
        var position = Math.Clamp((int)(edit.At * path.Length), 1, path.Length); // the leading '/' stays: the path is still this server's
        var inserted = Uri.EscapeDataString(((char)edit.Value).ToString());
        return edit.Op % 2 == 0 ? path[..position] + inserted + path[position..] : path[..position];
    }

    static readonly Gen<string> RawTargets = Gen.OneOf("*", "http://evil.example/v1/", "//", "/%", "/%ZZ", "/%00", "/..%2F..%2F", "/v1/Account/%C0%AF/", "/\u0000", "/ /", "/?a=%", "");

    static readonly Gen<string> RawHeaderLines = Gen.OneOf(
        "Content-Length: -1", "Content-Length: 99999999999999999999", "Content-Length: 5\r\nContent-Length: 7", "Content-Length: 1, 2",
        "Transfer-Encoding: chunked", "Transfer-Encoding: gzip, chunked", "Transfer-Encoding: chunked\r\nContent-Length: 3", " folded",
        "NoColon", ": empty-name", "Host: other.example", "Host:", "Expect: 100-continue", "Expect: 999-nothing", "Connection: upgrade\r\nUpgrade: h2c",
        "Content-Type: application/x-www-form-urlencoded; charset=utf-7", "Content-Type: application/json", "Authorization: Basic \u00ff\u00fe",
        "X: \u0000", "X:\tx", "Bad Name: x", "Cookie: " + new string('c', 40_000));

    static readonly Gen<string> RawBodies = Gen.Frequency(
        (3, Gen.Const("")),
        (3, Gen.String[Gen.Char, 0, 300]),
        (2, Gen.OneOf("5\r\nabcde\r\n0\r\n\r\n", "zz\r\nabc\r\n", "ffffffffffffffff\r\n", "5;ext=\"x\r\nabcde\r\n0\r\n\r\n", "0\r\nTrailer: x\r\n\r\n")),
        (1, Value));

    /// <summary>
    /// Whole HTTP/1.1 requests as bytes, framing included, for what a client library refuses to send:
    /// broken request lines, raw control and non-ASCII bytes in paths and headers, contradictory
    /// lengths, broken chunking.
    /// </summary>
    public Gen<byte[]> Raw(string host)
    {
        var target = Gen.OneOf<MappedEndpoint>([.. targets]);
        return Gen.Select(
                target.SelectMany(t => Gen.Select(Gen.Const(t.Method), Path(t))),
                Gen.Frequency((6, Gen.Const("")), (1, Gen.OneOf(Methods)), (1, Gen.OneOf("G E T", "GET\u0000", "\u00c4\u00d6", new string('A', 300), ""))),
                Gen.Frequency((6, Gen.Const("")), (2, Value.Select(v => "/" + v)), (2, RawTargets)),
                Gen.Frequency((8, Gen.Const("HTTP/1.1")), (1, Gen.OneOf("HTTP/1.0", "HTTP/2.0", "HTTP/1.1 extra", "HTTP/1.x", "", "http/1.1", "HTTP/1.1\r"))),
                Gen.Frequency((4, Gen.Select(Gen.OneOf(HeaderNames), Printable).Select((n, v) => $"{n}: {v}")), (2, RawHeaderLines), (1, Value.Select(v => $"X-Raw: {v}"))).Array[0, 5],
                RawBodies,
                Gen.Int[0, 9])
            .Select((endpoint, method, path, version, headers, body, hostChoice) =>
            {
                var head = new StringBuilder();
                head.Append(method.Length > 0 ? method : endpoint.Item1).Append(' ').Append(path.Length > 0 ? path : endpoint.Item2).Append(' ').Append(version).Append("\r\n");
                if (hostChoice > 0)
                    head.Append("Host: ").Append(host).Append("\r\n");
                foreach (var line in headers)
                    head.Append(line).Append("\r\n");
                if (body.Length > 0 && !headers.Any(h => h.StartsWith("Content-Length", StringComparison.Ordinal) || h.StartsWith("Transfer-Encoding", StringComparison.Ordinal)))
                    head.Append("Content-Length: ").Append(Encoding.UTF8.GetByteCount(body)).Append("\r\n");
                head.Append("Connection: close\r\n\r\n").Append(body);
                return Encoding.UTF8.GetBytes(head.ToString());
            });
    }

    /// <summary>Any target; generated requests and mutations of valid ones.</summary>
    public Gen<HostileRequest> Any()
    {
        var generated = Gen.OneOf<HostileRequest>([.. targets.Select(t => (IGen<HostileRequest>)Generated(t))]);
        var withBodies = targets.Where(t => ApiSurface.Bodies.ContainsKey(t.Key)).ToList();
        if (withBodies.Count == 0)
            return generated;
        var mutated = Gen.OneOf<HostileRequest>([.. withBodies.Select(t => (IGen<HostileRequest>)Mutated(t))]);
        return Gen.Frequency((3, generated), (1, mutated));
    }
}
