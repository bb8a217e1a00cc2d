using System.Collections.Concurrent;
using System.IO.Compression;
using System.Security.Cryptography;
using System.Text.Json;
using Contacto.Storage;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Contacto.Status;

/// <summary>
/// The public status as last published. The database is read when the status changes (every
/// reconciliation of the monitor: a staff change, or its periodic round, which also carries other
/// nodes' changes and moves uptime along), never per request: during an outage every customer
/// reloads the page, and each reload costs the same as serving bytes from memory.
/// </summary>
internal sealed class StatusPublisher(
    StatusReader reader,
    IDbContextFactory<ContactoDbContext> contexts,
    StatusBroadcaster broadcaster,
    IOptions<StatusOptions> options,
    TimeProvider time)
{
    readonly SemaphoreSlim oneAtATime = new(1, 1);
    volatile StatusPublication? current;

    /// <summary>The current publication; the first caller reads it from the database.</summary>
    public async ValueTask<StatusPublication> CurrentAsync(CancellationToken cancellationToken)
    {
        if (current is { } published)
            return published;
        await oneAtATime.WaitAsync(cancellationToken);
        try
        {
            return current ??= await ReadAsync(cancellationToken);
        }
        finally
        {
            oneAtATime.Release();
        }
    }

    /// <summary>Reads the status again and publishes it to readers and to the event streams.</summary>
    public async Task PublishAsync(CancellationToken cancellationToken)
    {
        await oneAtATime.WaitAsync(cancellationToken);
        try
        {
            current = await ReadAsync(cancellationToken);
        }
        finally
        {
            oneAtATime.Release();
        }
    }

    async Task<StatusPublication> ReadAsync(CancellationToken cancellationToken)
    {
        var snapshot = await reader.ReadAsync(cancellationToken);
        await using var db = contexts.CreateDbContext();
        var ids = snapshot.Components.Where(c => !c.IsGroup).Select(c => c.Id).ToList();
        var uptime = await Uptime.ForComponentsAsync(db, ids, time.GetUtcNow(), cancellationToken);
        broadcaster.Publish(JsonSerializer.Serialize(StatuspageJson.Summary(snapshot, options.Value.PublicUrl?.TrimEnd('/') ?? ""), StatusEndpoints.Json));
        return new StatusPublication(snapshot, uptime);
    }
}

/// <summary>
/// One public document (page, JSON, feed) as served: its type, and its bytes as they are and
/// compressed (null where compressing does not make them smaller), each with its own strong ETag.
/// </summary>
internal sealed record StatusRepresentation(string ContentType, EncodedBody Identity, EncodedBody? Gzip, EncodedBody? Brotli);

/// <summary>Bytes in one content coding (null: none) and their strong ETag.</summary>
internal sealed record EncodedBody(byte[] Bytes, string? Coding, string ETag);

/// <summary>
/// One published status: the snapshot and uptime read together, and each document rendered from
/// them at most once per base address (the JSON and the feeds name the address they are read at
/// when <c>Status:PublicUrl</c> is unset). Nothing here reads the database.
/// </summary>
internal sealed class StatusPublication(StatusSnapshot snapshot, IReadOnlyDictionary<string, UptimeSummary> uptime)
{
    /// <summary>Base addresses come from the Host header when no public URL is set: remember only a few.</summary>
    const int MaxRemembered = 64;

    readonly ConcurrentDictionary<(string Path, string BaseUrl), Task<StatusRepresentation>> rendered = new();

    public StatusSnapshot Snapshot { get; } = snapshot;
    public IReadOnlyDictionary<string, UptimeSummary> Uptime { get; } = uptime;

    public Task<StatusRepresentation> RepresentationAsync(StatusDocument document, string baseUrl)
    {
        var key = (document.Path, document.NamesBaseUrl ? baseUrl : "");
        if (rendered.TryGetValue(key, out var known))
            return known;
        var rendering = RenderAsync(document, key.Item2);
        return rendered.Count < MaxRemembered ? rendered.GetOrAdd(key, rendering) : rendering;
    }

    async Task<StatusRepresentation> RenderAsync(StatusDocument document, string baseUrl)
    {
        var body = await document.Render(this, baseUrl);
        var tag = Convert.ToBase64String(SHA256.HashData(body).AsSpan(0, 16)).TrimEnd('=').Replace('+', '-').Replace('/', '_');
        EncodedBody? Compressed(string coding, Func<Stream, Stream> compressor)
        {
            using var output = new MemoryStream();
            using (var compressing = compressor(output))
                compressing.Write(body);
            return output.Length < body.Length ? new EncodedBody(output.ToArray(), coding, $"\"{tag}-{coding}\"") : null;
        }
        // Once per change, so the best compression is worth its time; browsers and CDNs ask for br or gzip.
        return new StatusRepresentation(document.ContentType, new EncodedBody(body, null, $"\"{tag}\""),
            Compressed("gzip", output => new GZipStream(output, CompressionLevel.SmallestSize, leaveOpen: true)),
            Compressed("br", output => new BrotliStream(output, CompressionLevel.SmallestSize, leaveOpen: true)));
    }
}

/// <summary>A public document of the status page: where it is served, its type and how it is rendered.</summary>
internal sealed record StatusDocument(string Path, string ContentType, bool NamesBaseUrl, Func<StatusPublication, string, Task<byte[]>> Render);
