using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Security;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using Contacto.Operations;
using Contacto.Storage;
using Contacto.Testing;
using CsCheck;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Xunit.Abstractions;

namespace Contacto.Tests.Api;

/// <summary>
/// Hostile requests to every endpoint the application maps (<see cref="ApiSurface"/>), on both
/// planes and both storage providers: none may get a 5xx, go unanswered past a deadline, be logged
/// as an error, or leave a connection open, and the server answers normally afterwards. A fixed
/// seed and a bounded count here; for a longer run set <c>CONTACTO_FUZZ_REQUESTS</c> (and
/// <c>CONTACTO_FUZZ_SEED</c>, a number or <c>random</c>): the run prints what it tried.
/// </summary>
public sealed partial class ApiFuzzTests(ITestOutputHelper output)
{
    const int CiRequests = 1_200;
    const ulong CiSeed = 35_0001;
    const int Clients = 4;
    static readonly TimeSpan Deadline = TimeSpan.FromSeconds(30);

    /// <summary>A valid value for a route parameter the seeded tenant has no resource for.</summary>
    static readonly string SomeGuid = "0f0e0d0c-0b0a-4908-8706-050403020100";

    /// <summary>
    /// Forged credentials are part of every run. The throttle's delays would only slow it, and its
    /// refusal of the source (tested on its own) would end the run's reach after twenty of them.
    /// </summary>
    static readonly string[] Unthrottled =
        ["--Auth:Throttle:BaseDelay", "00:00:00", "--Auth:Throttle:MaxDelay", "00:00:00", "--Auth:Throttle:RefuseAfter", "1000000000"];

    [Theory]
    [MemberData(nameof(TestStorage.Providers), MemberType = typeof(TestStorage))]
    public async Task No_hostile_request_to_either_plane_gets_a_5xx_hangs_or_leaves_a_connection_open(StorageProvider provider)
    {
        var (count, seed) = RunSize(CiRequests);
        using var storage = await TestStorage.CreateAsync(provider);
        var logs = new RecordedLogs();
        await using var server = await RunningServer.StartAsync(storage, Unthrottled, builder => builder.Logging.AddProvider(logs));
        using var connections = new OpenConnections(server.Services);
        var fuzz = await FuzzTarget.PrepareAsync(server);
        var requests = new HostileRequests(fuzz.Endpoints, fuzz.ValidParameter);
        var run = new FuzzRun(seed);

        await run.RequestsAsync(count, requests.Any(), () =>
        {
            var publicClient = Client(server, server.PublicPort, "localhost");
            var opsClient = Client(server, server.OpsPort, "127.0.0.1");
            return new Worker(request => request.Target.Plane == Plane.Ops ? opsClient : publicClient, fuzz.Authorize, fuzz.Observe, [publicClient, opsClient]);
        });
        // Then what a client library will not send, as raw bytes on fresh TLS connections to either plane.
        await run.RawAsync(count / 6, server, requests);
        output.WriteLine(run.Summary(fuzz.Endpoints.Count));
        run.AssertClean();

        // Still serving: a new tenant's account, and readiness, answer as they should.
        var (after, token) = await server.CreateAccountAsync("After the run");
        using (var client = server.ApiClient(after.AuthId, token))
            Assert.Equal(HttpStatusCode.OK, (await client.GetJsonAsync($"/v1/Account/{after.AuthId}/")).Status);
        using (var ops = Client(server, server.OpsPort, "127.0.0.1"))
            Assert.Equal(HttpStatusCode.OK, (await ops.GetAsync("/health/ready")).StatusCode);
        await connections.WaitForAtMostAsync(0);
        Assert.DoesNotContain(logs.Lines, l => l.StartsWith("Error", StringComparison.Ordinal) || l.StartsWith("Critical", StringComparison.Ordinal));
    }

    /// <summary>The console's forms and pages, fuzzed from inside a signed-in session (its cookie and antiforgery token), as well as from outside.</summary>
    [Theory]
    [MemberData(nameof(TestStorage.Providers), MemberType = typeof(TestStorage))]
    public async Task No_hostile_console_request_in_a_session_gets_a_5xx_hangs_or_leaves_a_connection_open(StorageProvider provider)
    {
        var (count, seed) = RunSize(CiRequests / 3);
        using var storage = await TestStorage.CreateAsync(provider);
        await using var console = await ConsoleServer.StartAsync(storage, Unthrottled);
        using var connections = new OpenConnections(console.Server.Services);
        var (account, _) = await console.Server.CreateAccountAsync("Console");
        var member = await console.MemberAsync(account.AuthId, "owner@example.com");
        // Signing out would only end the session the run fuzzes from.
        var endpoints = ApiSurface.Endpoints(console.Server).Where(e => e.Pattern.StartsWith("/console", StringComparison.Ordinal) && !e.Pattern.StartsWith("/console/sign-out", StringComparison.Ordinal)).ToList();
        var requests = new HostileRequests(endpoints, (endpoint, parameter) => parameter == "id" ? SomeGuid
            : throw new Xunit.Sdk.XunitException($"{endpoint.Key}: the fuzzer knows no valid value for route parameter '{parameter}'"));
        var run = new FuzzRun(seed);

        await run.RequestsAsync(count, requests.Any(), () =>
        {
            var inSession = new HttpClient(new SocketsHttpHandler
            {
                SslOptions = { RemoteCertificateValidationCallback = CaTrust.Validator(console.Server.CaPath) },
                CookieContainer = member.Browser.Cookies,
                AllowAutoRedirect = false,
            }) { BaseAddress = new Uri($"https://localhost:{console.Server.PublicPort}/"), Timeout = Timeout.InfiniteTimeSpan };
            var outside = Client(console.Server, console.Server.PublicPort, "localhost");
            return new Worker(request => request.Credentials == Credentials.Valid ? inSession : outside,
                (request, message) =>
                {
                    if (request.Credentials == Credentials.Valid)
                        message.Headers.TryAddWithoutValidation("RequestVerificationToken", member.Browser.Csrf);
                    else if (request.Credentials == Credentials.Forged && AuthenticationHeaderValue.TryParse(request.ForgedAuthorization, out var forged))
                        message.Headers.Authorization = forged;
                },
                (_, _, _) => { },
                [inSession, outside]);
        });
        output.WriteLine(run.Summary(endpoints.Count));
        run.AssertClean();

        Assert.Equal(HttpStatusCode.OK, (await member.Browser.GetAsync("/console/account")).Status);
        member.Browser.Dispose();
        await connections.WaitForAtMostAsync(0);
    }

    /// <summary>One concurrent client of a run: which connection a request takes, how it is given credentials, what its answer teaches the run.</summary>
    sealed record Worker(Func<HostileRequest, HttpClient> ClientFor, Action<HostileRequest, HttpRequestMessage> Authorize,
        Action<HostileRequest, HttpResponseMessage, byte[]> Observe, HttpClient[] Clients) : IDisposable
    {
        public void Dispose()
        {
            foreach (var client in Clients)
                client.Dispose();
        }
    }

    /// <summary>The requests of one run, from one seed: each is generated from the seed and its index, so any one can be replayed.</summary>
    sealed class FuzzRun(ulong seed)
    {
        readonly ConcurrentDictionary<int, int> statuses = new();
        readonly ConcurrentQueue<string> failures = new();
        readonly System.Diagnostics.Stopwatch clock = System.Diagnostics.Stopwatch.StartNew();
        long sent;
        long sentRaw;

        public async Task RequestsAsync(long count, Gen<HostileRequest> generator, Func<Worker> worker)
        {
            var next = -1L;
            await Task.WhenAll(Enumerable.Range(0, Clients).Select(async _ =>
            {
                using var own = worker();
                long index;
                while ((index = Interlocked.Increment(ref next)) < count && failures.Count < 10)
                {
                    var request = generator.Generate(new PCG(35, seed + (ulong)index), null, out Size _);
                    Interlocked.Increment(ref sent);
                    if (await SendAsync(own, request, statuses) is { } problem)
                        failures.Enqueue($"request {index} of seed {seed}: {problem}\n  {request}");
                }
            }));
        }

        public async Task RawAsync(long count, RunningServer server, HostileRequests requests)
        {
            var generators = new[] { requests.Raw("localhost"), requests.Raw("127.0.0.1") };
            var next = -1L;
            await Task.WhenAll(Enumerable.Range(0, Clients).Select(async _ =>
            {
                long index;
                while ((index = Interlocked.Increment(ref next)) < count && failures.Count < 10)
                {
                    var ops = index % 4 == 3;
                    var bytes = generators[ops ? 1 : 0].Generate(new PCG(36, seed + (ulong)index), null, out Size _);
                    Interlocked.Increment(ref sentRaw);
                    if (await SendRawAsync(server, ops, bytes, statuses) is { } problem)
                        failures.Enqueue($"raw request {index} of seed {seed}: {problem}\n  {JsonSerializer.Serialize(Encoding.Latin1.GetString(bytes[..Math.Min(bytes.Length, 400)]))}");
                }
            }));
        }

        public string Summary(int endpoints) =>
            $"{sent} hostile requests and {sentRaw} raw ones to {endpoints} endpoints (seed {seed}) in {clock.Elapsed.TotalSeconds:F1} s; " +
            $"answers: {string.Join(", ", statuses.OrderBy(s => s.Key).Select(s => $"{(s.Key == 0 ? "closed unanswered" : s.Key)} x{s.Value}"))}";

        public void AssertClean()
        {
            Assert.True(failures.IsEmpty, string.Join("\n", failures));
            Assert.Contains(statuses.Keys, s => s is >= 200 and < 300);
        }
    }

    /// <summary>The run's size and seed: CI's, unless the environment asks for another.</summary>
    static (long Count, ulong Seed) RunSize(long ciCount)
    {
        var count = long.TryParse(Environment.GetEnvironmentVariable("CONTACTO_FUZZ_REQUESTS"), CultureInfo.InvariantCulture, out var asked) ? asked : ciCount;
        var seedText = Environment.GetEnvironmentVariable("CONTACTO_FUZZ_SEED");
        var seed = seedText == "random" ? (ulong)Random.Shared.NextInt64()
            : ulong.TryParse(seedText, CultureInfo.InvariantCulture, out var given) ? given : CiSeed;
        return (count, seed);
    }

    /// <summary>Sends one request; what was wrong with its answer, or null.</summary>
    static async Task<string?> SendAsync(Worker worker, HostileRequest request, ConcurrentDictionary<int, int> statuses)
    {
        var client = worker.ClientFor(request);
        using var message = new HttpRequestMessage(new HttpMethod(request.Method), new Uri(client.BaseAddress!.GetLeftPart(UriPartial.Authority) + request.PathAndQuery));
        if (request.Body is not null)
        {
            message.Content = new ByteArrayContent(request.Body);
            if (request.ContentType is not null)
                message.Content.Headers.TryAddWithoutValidation("Content-Type", request.ContentType);
        }
        foreach (var (name, value) in request.Headers)
            if (!message.Headers.TryAddWithoutValidation(name, value))
                message.Content?.Headers.TryAddWithoutValidation(name, value);
        worker.Authorize(request, message);

        using var deadline = new CancellationTokenSource(Deadline);
        HttpResponseMessage response;
        byte[] body;
        try
        {
            response = await client.SendAsync(message, HttpCompletionOption.ResponseHeadersRead, deadline.Token);
            // A stream (the status page's events) stays open by design: its headers are the answer.
            body = response.Content.Headers.ContentType?.MediaType == "text/event-stream" ? [] : await response.Content.ReadAsByteArrayAsync(deadline.Token);
        }
        catch (OperationCanceledException) when (deadline.IsCancellationRequested)
        {
            return $"no answer within {Deadline.TotalSeconds} s";
        }
        catch (HttpRequestException e) when (e.InnerException is IOException && (OverHeadLimits(message) || request.Body is { Length: > 0 }))
        {
            // Kestrel refuses a request line or headers over its limits (414, 431), and the server may answer
            // a request it refuses (401, 404) before reading its body: either way it closes the connection
            // while this side is still writing. Not a fault; the connections and serving checks still hold.
            statuses.AddOrUpdate(0, 1, (_, n) => n + 1);
            return null;
        }
        catch (HttpRequestException e)
        {
            return $"the connection failed: {e.GetType().Name} {e.Message} {e.InnerException?.Message}";
        }
        using (response)
        {
            var status = (int)response.StatusCode;
            statuses.AddOrUpdate(status, 1, (_, n) => n + 1);
            if (status >= 500)
                return $"answered {status}: {Encoding.UTF8.GetString(body)}";
            worker.Observe(request, response, body);
            if (status >= 400 && body.Length > 0 && IsApiPath(response.RequestMessage!.RequestUri!) && !IsApiError(body))
                return $"answered {status} outside the API's error shape: {Encoding.UTF8.GetString(body[..Math.Min(body.Length, 300)])}";
            return null;
        }
    }

    /// <summary>Writes <paramref name="request"/> on a fresh connection, closes its sending side, and reads the answer to the end.</summary>
    static async Task<string?> SendRawAsync(RunningServer server, bool ops, byte[] request, ConcurrentDictionary<int, int> statuses)
    {
        using var deadline = new CancellationTokenSource(Deadline);
        using var tcp = new TcpClient();
        var answer = new MemoryStream();
        try
        {
            await tcp.ConnectAsync(IPAddress.Loopback, ops ? server.OpsPort : server.PublicPort, deadline.Token);
            await using var tls = new SslStream(tcp.GetStream(), false, CaTrust.Validator(server.CaPath));
            await tls.AuthenticateAsClientAsync(new SslClientAuthenticationOptions { TargetHost = ops ? "127.0.0.1" : "localhost" }, deadline.Token);
            try
            {
                await tls.WriteAsync(request, deadline.Token);
                await tls.ShutdownAsync();
                tcp.Client.Shutdown(SocketShutdown.Send);
            }
            catch (IOException)
            {
                // The server may answer a bad head and close before the rest is written: its answer is still there to read.
            }
            var buffer = new byte[16 * 1024];
            int read;
            while ((read = await ReadOrEndAsync(tls, buffer, deadline.Token)) > 0)
                answer.Write(buffer, 0, Math.Min(read, (int)Math.Max(0, 64 * 1024 - answer.Length)));
        }
        catch (OperationCanceledException) when (deadline.IsCancellationRequested)
        {
            return $"no answer nor close within {Deadline.TotalSeconds} s";
        }
        var text = Encoding.Latin1.GetString(answer.ToArray());
        var status = text.Length >= 12 && text.StartsWith("HTTP/1.", StringComparison.Ordinal) && int.TryParse(text.AsSpan(9, 3), CultureInfo.InvariantCulture, out var code) ? code : 0;
        statuses.AddOrUpdate(status, 1, (_, n) => n + 1);
        // 505 is the one 5xx that names the client's error: a version other than HTTP/1.0 or 1.1 on the request line.
        var unsupportedVersion = status == 505 && !RequestLineVersion().IsMatch(Encoding.Latin1.GetString(request, 0, Math.Min(request.Length, 16 * 1024)));
        return status >= 500 && !unsupportedVersion ? $"answered {status}: {text[..Math.Min(text.Length, 300)]}" : null;
    }

    [System.Text.RegularExpressions.GeneratedRegex(@"^[^\r\n]* HTTP/1\.[01]\r\n")]
    private static partial System.Text.RegularExpressions.Regex RequestLineVersion();

    /// <summary>A read that ends, rather than throws, when the server resets the connection after its answer.</summary>
    static async Task<int> ReadOrEndAsync(Stream stream, byte[] buffer, CancellationToken cancellationToken)
    {
        try
        {
            return await stream.ReadAsync(buffer, cancellationToken);
        }
        catch (IOException)
        {
            return 0;
        }
    }

    /// <summary>Whether the request line or the headers pass Kestrel's limits (8 KiB, 32 KiB), give or take the framing this count leaves out.</summary>
    static bool OverHeadLimits(HttpRequestMessage message) =>
        message.RequestUri!.PathAndQuery.Length > 8_000
        || message.Headers.Concat(message.Content?.Headers ?? Enumerable.Empty<KeyValuePair<string, IEnumerable<string>>>())
            .Sum(h => h.Key.Length + h.Value.Sum(v => v.Length)) > 32_000;

    static bool IsApiPath(Uri uri) =>
        uri.AbsolutePath.StartsWith("/v1/", StringComparison.Ordinal) || uri.AbsolutePath.StartsWith("/ops/", StringComparison.Ordinal);

    static bool IsApiError(byte[] body)
    {
        try
        {
            var root = JsonDocument.Parse(body).RootElement;
            return root.TryGetProperty("api_id", out _) && root.TryGetProperty("error", out var error) && error.ValueKind == JsonValueKind.String;
        }
        catch (JsonException)
        {
            return false;
        }
    }

    static HttpClient Client(RunningServer server, int port, string host)
    {
        var client = CaTrust.Client(server.CaPath, port, host);
        client.Timeout = Timeout.InfiniteTimeSpan; // each request has its own deadline
        return client;
    }

    /// <summary>The server's fuzzed tenant and staff: the values a valid request puts in each route parameter, and its credentials.</summary>
    sealed class FuzzTarget
    {
        public required List<MappedEndpoint> Endpoints { get; init; }
        public required string AuthId { get; init; }
        public required string OperatorToken { get; init; }
        public required Dictionary<string, string> Resources { get; init; }
        public required string IncidentId { get; init; }
        public required string ComponentId { get; init; }

        /// <summary>The tenant's token, replaced when a request rotates it.</summary>
        public volatile string Token = "";

        public static async Task<FuzzTarget> PrepareAsync(RunningServer server)
        {
            var tenant = await ApiSurface.SeedTenantAsync(server, "Fuzzed", "F");
            var (_, operatorToken) = await server.Services.GetRequiredService<OperatorTokenService>().CreateAsync("fuzz", CancellationToken.None);
            using var staff = CaTrust.Client(server.CaPath, server.OpsPort, "127.0.0.1");
            staff.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", operatorToken);
            var (_, incident) = await staff.PostJsonAsync("/ops/incidents", ApiSurface.Bodies["POST /ops/incidents"]);
            var (_, components) = await staff.GetJsonAsync("/ops/components/");
            return new FuzzTarget
            {
                Endpoints = ApiSurface.Endpoints(server),
                AuthId = tenant.AuthId,
                Token = tenant.Token,
                OperatorToken = operatorToken,
                Resources = tenant.ResourceIds,
                IncidentId = incident.Str("id"),
                ComponentId = components.GetProperty("components")[0].Str("id"),
            };
        }

        public string ValidParameter(MappedEndpoint endpoint, string parameter) => parameter switch
        {
            "auth_id" => AuthId,
            "id" when endpoint.Pattern.StartsWith("/ops/incidents", StringComparison.Ordinal) => IncidentId,
            "id" when endpoint.Pattern.StartsWith("/ops/components", StringComparison.Ordinal) => ComponentId,
            "id" => SomeGuid,
            _ => Resources.TryGetValue(parameter, out var value) ? value
                : throw new Xunit.Sdk.XunitException($"{endpoint.Key}: the fuzzer knows no valid value for route parameter '{parameter}'"),
        };

        public void Authorize(HostileRequest request, HttpRequestMessage message) => message.Headers.Authorization = request.Credentials switch
        {
            Credentials.Valid when request.Target.IsAccountApi => new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{AuthId}:{Token}"))),
            Credentials.Valid when request.Target.Pattern.StartsWith("/ops/", StringComparison.Ordinal) => new AuthenticationHeaderValue("Bearer", OperatorToken),
            Credentials.Forged => AuthenticationHeaderValue.TryParse(request.ForgedAuthorization, out var forged) ? forged : null,
            _ => null,
        };

        /// <summary>A request that rotated the tenant's token (not a subaccount's, created with one) hands the run the new one.</summary>
        public void Observe(HostileRequest request, HttpResponseMessage response, byte[] body)
        {
            if (!response.IsSuccessStatusCode || request.Target.Key != "POST /v1/Account/{auth_id}/AuthToken/")
                return;
            var answer = JsonDocument.Parse(body).RootElement;
            if (answer.TryGetProperty("auth_id", out var id) && id.ValueEquals(AuthId) && answer.TryGetProperty("auth_token", out var rotated))
                Token = rotated.GetString()!;
        }
    }
}
