using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using System.Threading.Channels;
using Contacto.Testing;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Contacto.Tests.Status;

/// <summary>One request the fake receiver got.</summary>
public sealed record ReceivedRequest(string Path, IReadOnlyDictionary<string, string> Headers, string Body)
{
    public JsonElement Json => JsonDocument.Parse(Body).RootElement.Clone();
}

/// <summary>
/// A local HTTP endpoint standing in for PagerDuty's Events API and for webhook receivers: records
/// each request and answers 202, or the statuses queued with <see cref="FailNext"/> first.
/// </summary>
public sealed class FakeHttpReceiver : IAsyncDisposable
{
    readonly WebApplication app;
    readonly Channel<ReceivedRequest> received = Channel.CreateUnbounded<ReceivedRequest>();
    readonly ConcurrentQueue<int> failures = new();

    FakeHttpReceiver(WebApplication app) => this.app = app;

    public string BaseUrl { get; private set; } = "";

    /// <param name="tls">https with <see cref="LoopbackCertificate.Receivers"/> (paging targets are https only); else plain http.</param>
    public static async Task<FakeHttpReceiver> StartAsync(bool tls = false)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        if (tls)
            builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, 0, l => l.UseHttps(LoopbackCertificate.Receivers)));
        else
            builder.WebHost.UseUrls("http://127.0.0.1:0");
        var receiver = new FakeHttpReceiver(builder.Build());
        receiver.app.Run(receiver.HandleAsync);
        await receiver.app.StartAsync();
        receiver.BaseUrl = receiver.app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();
        return receiver;
    }

    public void FailNext(params int[] statuses)
    {
        foreach (var status in statuses)
            failures.Enqueue(status);
    }

    async Task HandleAsync(HttpContext context)
    {
        using var reader = new StreamReader(context.Request.Body, Encoding.UTF8);
        var body = await reader.ReadToEndAsync();
        var headers = context.Request.Headers.ToDictionary(h => h.Key, h => h.Value.ToString(), StringComparer.OrdinalIgnoreCase);
        await received.Writer.WriteAsync(new ReceivedRequest(context.Request.Path, headers, body));
        context.Response.StatusCode = failures.TryDequeue(out var status) ? status : StatusCodes.Status202Accepted;
        if (context.Response.StatusCode == StatusCodes.Status202Accepted)
            await context.Response.WriteAsJsonAsync(new { status = "success", message = "Event processed" });
    }

    /// <summary>The next request, or a failed test after a bounded wait.</summary>
    public async Task<ReceivedRequest> NextAsync(TimeSpan? timeout = null)
    {
        using var cancel = new CancellationTokenSource(timeout ?? TimeSpan.FromSeconds(15));
        return await received.Reader.ReadAsync(cancel.Token);
    }

    /// <summary>True when nothing has arrived (and nothing is in flight that was already accepted).</summary>
    public bool IsEmpty => received.Reader.Count == 0;

    public async ValueTask DisposeAsync()
    {
        await app.StopAsync();
        await app.DisposeAsync();
    }
}

/// <summary>A minimal SMTP server on loopback that accepts every message and records it.</summary>
public sealed class FakeSmtpServer : IAsyncDisposable
{
    readonly TcpListener listener = new(IPAddress.Loopback, 0);
    readonly Channel<string> messages = Channel.CreateUnbounded<string>();
    readonly CancellationTokenSource stop = new();
    readonly Task accepting;

    public FakeSmtpServer()
    {
        listener.Start();
        accepting = AcceptAsync();
    }

    public int Port => ((IPEndPoint)listener.LocalEndpoint).Port;

    async Task AcceptAsync()
    {
        while (!stop.IsCancellationRequested)
        {
            TcpClient client;
            try
            {
                client = await listener.AcceptTcpClientAsync(stop.Token);
            }
            catch (OperationCanceledException)
            {
                return;
            }
            _ = ServeAsync(client);
        }
    }

    async Task ServeAsync(TcpClient client)
    {
        using var _ = client;
        var stream = client.GetStream();
        var reader = new StreamReader(stream, Encoding.ASCII);
        var writer = new StreamWriter(stream, Encoding.ASCII) { NewLine = "\r\n", AutoFlush = true };
        await writer.WriteLineAsync("220 localhost test SMTP");
        while (await reader.ReadLineAsync(stop.Token) is { } line)
        {
            var command = line.Split(' ', 2)[0].ToUpperInvariant();
            switch (command)
            {
                case "EHLO":
                    await writer.WriteLineAsync("250-localhost");
                    await writer.WriteLineAsync("250 8BITMIME");
                    break;
                case "DATA":
                    await writer.WriteLineAsync("354 end with <CRLF>.<CRLF>");
                    var data = new StringBuilder();
                    while (await reader.ReadLineAsync(stop.Token) is { } dataLine && dataLine != ".")
                        data.AppendLine(dataLine.StartsWith("..", StringComparison.Ordinal) ? dataLine[1..] : dataLine);
                    await messages.Writer.WriteAsync(data.ToString());
                    await writer.WriteLineAsync("250 queued");
                    break;
                case "QUIT":
                    await writer.WriteLineAsync("221 bye");
                    return;
                default:
                    await writer.WriteLineAsync("250 ok");
                    break;
            }
        }
    }

    public async Task<string> NextAsync(TimeSpan? timeout = null)
    {
        using var cancel = new CancellationTokenSource(timeout ?? TimeSpan.FromSeconds(15));
        return await messages.Reader.ReadAsync(cancel.Token);
    }

    public async ValueTask DisposeAsync()
    {
        await stop.CancelAsync();
        listener.Stop();
        await accepting;
        stop.Dispose();
    }
}
