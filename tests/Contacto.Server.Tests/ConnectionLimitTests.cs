using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Text;
using Contacto.Storage;
using Contacto.Testing;

namespace Contacto.Server.Tests;

/// <summary>
/// Heavy clients take only their own share. One client source holding many slow connections (a slowloris: request heads never finished)
/// takes only its own places: its connections past <c>Listen:MaxConnectionsPerSource</c> are
/// closed, others are served meanwhile, and it gets a place again once it lets one go.
/// </summary>
public sealed class ConnectionLimitTests
{
    const int Limit = 8;
    static readonly IPAddress Attacker = IPAddress.Parse("127.0.0.2");

    [Fact]
    public async Task A_source_holding_its_limit_of_slow_connections_is_refused_more_while_others_are_served_on_both_planes()
    {
        using var storage = await TestStorage.CreateAsync(StorageProvider.Sqlite);
        await using var server = await RunningServer.StartAsync(storage, ["--Listen:MaxConnectionsPerSource", Limit.ToString(System.Globalization.CultureInfo.InvariantCulture)]);

        using var connections = new OpenConnections(server.Services);
        foreach (var (port, host, path) in new[] { (server.PublicPort, "localhost", "/api/v2/status.json"), (server.OpsPort, "127.0.0.1", "/health/live") })
        {
            var held = new List<SslStream>();
            for (var i = 0; i < Limit; i++)
            {
                var slow = await ConnectAsync(server, port, host, Attacker);
                await slow.WriteAsync(Encoding.ASCII.GetBytes($"GET {path} HTTP/1.1\r\nHost: {host}\r\nX-Slow: "));
                held.Add(slow);
            }

            // The attacker's next connection is closed before TLS; another client is served as usual.
            await Assert.ThrowsAnyAsync<IOException>(() => ConnectAsync(server, port, host, Attacker));
            using (var client = CaTrust.Client(server.CaPath, port, host))
            {
                using var response = await client.GetAsync(path).WaitAsync(TimeSpan.FromSeconds(30));
                Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            }

            // A place given back is a place again: the limit holds connections, it bans no one.
            // Once the server has closed its side of the one given back, the next is taken.
            await held[0].DisposeAsync();
            await connections.WaitForAtMostAsync(Limit - 1);
            await using var again = await ConnectAsync(server, port, host, Attacker);
            foreach (var slow in held.Skip(1))
                await slow.DisposeAsync();
        }
    }

    [Fact]
    public async Task Oversize_bodies_heads_and_request_lines_are_refused_while_others_are_served()
    {
        using var storage = await TestStorage.CreateAsync(StorageProvider.Sqlite);
        await using var server = await RunningServer.StartAsync(storage);
        var (account, token) = await server.CreateAccountAsync("Attacked");
        var path = $"/v1/Account/{account.AuthId}/Subaccount/";
        using var attacker = server.ApiClient(account.AuthId, token, Attacker);
        using var normal = server.ApiClient(account.AuthId, token);

        async Task<HttpStatusCode> SendAsync(Func<HttpRequestMessage> build)
        {
            using var request = build();
            try
            {
                using var response = await attacker.SendAsync(request);
                return response.StatusCode;
            }
            catch (HttpRequestException e) when (e.InnerException is IOException)
            {
                return 0; // the server answered and closed while the rest was still being written
            }
        }
        var attacks = Enumerable.Range(0, 6).Select(i => SendAsync(() => (i % 3) switch
        {
            0 => new HttpRequestMessage(HttpMethod.Post, path) { Content = new ByteArrayContent(new byte[2 * 1024 * 1024]) { Headers = { { "Content-Type", "application/json" } } } },
            1 => new HttpRequestMessage(HttpMethod.Get, path) { Headers = { { "X-Padding", new string('h', 40 * 1024) } } },
            _ => new HttpRequestMessage(HttpMethod.Get, path + "?limit=" + new string('1', 10 * 1024)),
        })).ToList();
        using var served = await normal.GetAsync(path).WaitAsync(TimeSpan.FromSeconds(30));

        Assert.Equal(HttpStatusCode.OK, served.StatusCode);
        var refused = await Task.WhenAll(attacks);
        Assert.All(refused.Where((_, i) => i % 3 == 0), s => Assert.Contains(s, new[] { HttpStatusCode.RequestEntityTooLarge, (HttpStatusCode)0 }));
        Assert.All(refused.Where((_, i) => i % 3 == 1), s => Assert.Equal(HttpStatusCode.RequestHeaderFieldsTooLarge, s));
        Assert.All(refused.Where((_, i) => i % 3 == 2), s => Assert.Equal(HttpStatusCode.RequestUriTooLong, s));
    }

    static async Task<SslStream> ConnectAsync(RunningServer server, int port, string host, IPAddress from)
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        socket.Bind(new IPEndPoint(from, 0));
        await socket.ConnectAsync(new IPEndPoint(IPAddress.Loopback, port));
        var tls = new SslStream(new NetworkStream(socket, ownsSocket: true), false, CaTrust.Validator(server.CaPath));
        try
        {
            using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            await tls.AuthenticateAsClientAsync(new SslClientAuthenticationOptions { TargetHost = host }, deadline.Token);
            return tls;
        }
        catch
        {
            await tls.DisposeAsync();
            throw;
        }
    }
}
