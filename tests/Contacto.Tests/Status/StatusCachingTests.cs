using System.Collections.Concurrent;
using System.Data.Common;
using System.Diagnostics;
using System.IO.Compression;
using System.Net;
using System.Net.ServerSentEvents;
using System.Text.Json;
using Contacto.Status;
using Contacto.Storage;
using Contacto.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.Extensions.Time.Testing;

namespace Contacto.Tests.Status;

/// <summary>
/// The public documents come from a snapshot published on change: strong ETags, 304 to a client
/// that holds the bytes, caching a CDN honours, no database query per request or per stream.
/// </summary>
public sealed partial class StatusCachingTests
{
    static readonly string[] Documents =
    [
        "/status", "/history.atom", "/history.rss", "/api/v2/summary.json", "/api/v2/status.json", "/api/v2/components.json", "/api/v2/incidents.json",
        "/api/v2/incidents/unresolved.json", "/api/v2/scheduled-maintenances.json", "/api/v2/scheduled-maintenances/upcoming.json",
        "/api/v2/scheduled-maintenances/active.json",
    ];

    [Fact]
    public async Task Every_document_has_a_strong_ETag_and_answers_304_to_a_client_that_holds_it()
    {
        using var storage = await TestStorage.CreateAsync(StorageProvider.Sqlite);
        await using var status = await StatusServer.StartAsync(storage);
        await status.Staff.PostJsonAsync("/ops/incidents", new { name = "SMS delays", body = "Receipts are late.", component_ids = "sms-pt" });

        foreach (var path in Documents)
        {
            using var first = await status.Public.GetAsync(path);
            Assert.Equal(HttpStatusCode.OK, first.StatusCode);
            var etag = first.Headers.ETag;
            Assert.NotNull(etag);
            Assert.False(etag.IsWeak, path);
            Assert.Equal(StatusEndpoints.SharedCaching, first.Headers.CacheControl?.ToString().Replace(" ", "").Replace(",", ", "));
            var body = await first.Content.ReadAsByteArrayAsync();
            Assert.Equal(body.Length, first.Content.Headers.ContentLength);

            foreach (var held in new[] { etag.Tag, $"W/{etag.Tag}", $"\"other\", {etag.Tag}", "*" })
            {
                using var again = new HttpRequestMessage(HttpMethod.Get, path);
                again.Headers.TryAddWithoutValidation("If-None-Match", held);
                using var notModified = await status.Public.SendAsync(again);
                Assert.Equal(HttpStatusCode.NotModified, notModified.StatusCode);
                Assert.Empty(await notModified.Content.ReadAsByteArrayAsync());
                Assert.Equal(etag, notModified.Headers.ETag);
                Assert.NotNull(notModified.Headers.CacheControl);
            }

            await AssertCompressedAsync(status.Public, path, body, etag.Tag);

            using var stale = new HttpRequestMessage(HttpMethod.Get, path);
            stale.Headers.TryAddWithoutValidation("If-None-Match", "\"something-else\"");
            using var full = await status.Public.SendAsync(stale);
            Assert.Equal(HttpStatusCode.OK, full.StatusCode);
            Assert.Equal(body, await full.Content.ReadAsByteArrayAsync());
        }
    }

    [Theory]
    [MemberData(nameof(TestStorage.Providers), MemberType = typeof(TestStorage))]
    public async Task A_change_gets_a_new_ETag_and_reaches_every_stream_and_no_request_queries_the_database(StorageProvider provider)
    {
        using var storage = await TestStorage.CreateAsync(provider);
        // A stopped clock: the monitor's periodic round does not run while requests are counted.
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        // Listening before the server's first command: EF Core remembers for a while that nobody listened.
        using var commands = new StatusCommandCounter(storage);
        await using var status = await StatusServer.StartAsync(storage, ["--Status:PublicUrl", "https://status.example.test"], time);
        var etags = new Dictionary<string, string>();
        foreach (var path in Documents)
        {
            using var response = await status.Public.GetAsync(path);
            etags[path] = response.Headers.ETag!.Tag;
        }
        var streams = new List<SseStream>();
        for (var i = 0; i < 3; i++)
            streams.Add(await SseStream.OpenAsync(status.Public));
        foreach (var stream in streams)
            Assert.Equal("none", Indicator(await stream.NextAsync()));

        commands.Reset();
        for (var round = 0; round < 20; round++)
        {
            foreach (var path in Documents)
            {
                using var response = await status.Public.GetAsync(path);
                Assert.Equal(etags[path], response.Headers.ETag!.Tag);
                using var conditional = new HttpRequestMessage(HttpMethod.Get, path);
                conditional.Headers.TryAddWithoutValidation("If-None-Match", etags[path]);
                using var notModified = await status.Public.SendAsync(conditional);
                Assert.Equal(HttpStatusCode.NotModified, notModified.StatusCode);
            }
        }
        var latecomer = await SseStream.OpenAsync(status.Public);
        Assert.Equal("none", Indicator(await latecomer.NextAsync()));
        streams.Add(latecomer);
        Assert.Equal(0, commands.Count);

        await status.Staff.PostJsonAsync("/ops/components/sms-pt", new { status = "major_outage" });
        Assert.True(commands.Count > 0, "the change was published without reading the status: the counter would miss queries");

        using var changed = new HttpRequestMessage(HttpMethod.Get, "/api/v2/summary.json");
        changed.Headers.TryAddWithoutValidation("If-None-Match", etags["/api/v2/summary.json"]);
        using var fresh = await status.Public.SendAsync(changed);
        Assert.Equal(HttpStatusCode.OK, fresh.StatusCode);
        Assert.NotEqual(etags["/api/v2/summary.json"], fresh.Headers.ETag!.Tag);
        var summary = await fresh.Content.ReadAsStringAsync();
        Assert.Equal("critical", Indicator(summary));
        foreach (var path in new[] { "/status", "/api/v2/status.json", "/api/v2/components.json" })
        {
            using var response = await status.Public.GetAsync(path);
            Assert.NotEqual(etags[path], response.Headers.ETag!.Tag);
        }
        // Every stream gets the change as the same bytes the JSON API serves.
        foreach (var stream in streams)
            Assert.Equal(summary, await stream.NextAsync());
        foreach (var stream in streams)
            stream.Dispose();
    }

    /// <summary>Where compressing pays, the client gets the coding it prefers, as the same bytes, under an ETag of its own.</summary>
    static async Task AssertCompressedAsync(HttpClient client, string path, byte[] identity, string identityTag)
    {
        foreach (var (accept, coding) in new[] { ("gzip, deflate, br", "br"), ("br;q=0, gzip", "gzip"), ("identity", null) })
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, path);
            request.Headers.TryAddWithoutValidation("Accept-Encoding", accept);
            using var response = await client.SendAsync(request);
            Assert.Contains("Accept-Encoding", response.Headers.Vary);
            var bytes = await response.Content.ReadAsByteArrayAsync();
            if (coding is null || response.Content.Headers.ContentEncoding.Count == 0)
            {
                // Only where the bytes would not shrink (a short JSON document) is a coding left out.
                Assert.True(coding is null || identity.Length < 300, $"{path} was not compressed for {accept}");
                Assert.Equal(identity, bytes);
                Assert.Equal(identityTag, response.Headers.ETag!.Tag);
                continue;
            }
            Assert.Equal(coding, Assert.Single(response.Content.Headers.ContentEncoding));
            Assert.True(bytes.Length < identity.Length);
            using var decompressing = coding == "br" ? (Stream)new BrotliStream(new MemoryStream(bytes), CompressionMode.Decompress)
                : new GZipStream(new MemoryStream(bytes), CompressionMode.Decompress);
            using var decompressed = new MemoryStream();
            await decompressing.CopyToAsync(decompressed);
            Assert.Equal(identity, decompressed.ToArray());
            var tag = response.Headers.ETag!.Tag;
            Assert.NotEqual(identityTag, tag);

            using var again = new HttpRequestMessage(HttpMethod.Get, path);
            again.Headers.TryAddWithoutValidation("Accept-Encoding", accept);
            again.Headers.TryAddWithoutValidation("If-None-Match", tag);
            using var notModified = await client.SendAsync(again);
            Assert.Equal(HttpStatusCode.NotModified, notModified.StatusCode);
        }
    }

    static string Indicator(string summary) => JsonDocument.Parse(summary).RootElement.GetProperty("status").Str("indicator");

    sealed class SseStream : IDisposable
    {
        readonly HttpResponseMessage response;
        readonly IAsyncEnumerator<SseItem<string>> events;
        readonly CancellationTokenSource timeout = new(TimeSpan.FromSeconds(30));

        SseStream(HttpResponseMessage response, IAsyncEnumerator<SseItem<string>> events) => (this.response, this.events) = (response, events);

        public static async Task<SseStream> OpenAsync(HttpClient client)
        {
            var response = await client.GetAsync(StatusEndpoints.StreamPath, HttpCompletionOption.ResponseHeadersRead);
            Assert.Equal("text/event-stream", response.Content.Headers.ContentType?.MediaType);
            Assert.Equal("no-store", response.Headers.CacheControl?.ToString());
            var body = await response.Content.ReadAsStreamAsync();
            return new SseStream(response, SseParser.Create(body).EnumerateAsync().GetAsyncEnumerator());
        }

        public async Task<string> NextAsync()
        {
            Assert.True(await events.MoveNextAsync().AsTask().WaitAsync(timeout.Token), "the stream ended");
            Assert.Equal(StatusBroadcaster.EventType, events.Current.EventType);
            return events.Current.Data;
        }

        public void Dispose()
        {
            response.Dispose();
            timeout.Dispose();
        }
    }

    /// <summary>
    /// Counts the SQL commands that touch the status tables on this test's database, as EF Core
    /// reports them (other tests in the process use other databases).
    /// </summary>
    sealed partial class StatusCommandCounter : IObserver<DiagnosticListener>, IObserver<KeyValuePair<string, object?>>, IDisposable
    {
        readonly ConcurrentBag<IDisposable> subscriptions = [];
        readonly Func<DbConnection, bool> ours;
        int count;

        public StatusCommandCounter(TestStorage storage)
        {
            var database = storage.ConnectionString is { } connectionString ? new Npgsql.NpgsqlConnectionStringBuilder(connectionString).Database : null;
            ours = connection => database is null ? connection.DataSource.StartsWith(storage.DataDir, StringComparison.Ordinal) : connection.Database == database;
            subscriptions.Add(DiagnosticListener.AllListeners.Subscribe(this));
        }

        public int Count => Volatile.Read(ref count);

        public void Reset() => Interlocked.Exchange(ref count, 0);

        public void OnNext(DiagnosticListener listener)
        {
            if (listener.Name == DbLoggerCategory.Name)
                subscriptions.Add(listener.Subscribe(this, name => name == RelationalEventId.CommandExecuting.Name));
        }

        public void OnNext(KeyValuePair<string, object?> value)
        {
            if (value.Value is CommandEventData { Command: { Connection: { } connection } command } && ours(connection)
                && StatusTables().IsMatch(command.CommandText))
                Interlocked.Increment(ref count);
        }

        [System.Text.RegularExpressions.GeneratedRegex(@"\b(status_components|status_component_changes|incidents|incident_updates)\b")]
        private static partial System.Text.RegularExpressions.Regex StatusTables();

        public void OnCompleted()
        {
        }

        public void OnError(Exception error)
        {
        }

        public void Dispose()
        {
            foreach (var subscription in subscriptions)
                subscription.Dispose();
        }
    }
}
