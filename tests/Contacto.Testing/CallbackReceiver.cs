using System.Threading.Channels;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Contacto.Testing;

/// <summary>A customer's callback endpoint on loopback (plain HTTP), recording what arrives and answering as told.</summary>
public sealed class CallbackReceiver : IAsyncDisposable
{
    public sealed record Received(string Method, string Url, Dictionary<string, string> Headers, Dictionary<string, string> Form);

    readonly WebApplication app;
    readonly Channel<Received> received = Channel.CreateUnbounded<Received>();

    CallbackReceiver(WebApplication app) => this.app = app;

    /// <summary>How to answer; by default 200.</summary>
    public Func<HttpContext, Task<IResult>> Answer { get; set; } = _ => Task.FromResult(Results.Ok());

    public string BaseUrl { get; private set; } = "";

    public static async Task<CallbackReceiver> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        var app = builder.Build();
        var receiver = new CallbackReceiver(app);
        app.Map("/{**path}", async (HttpContext context) =>
        {
            var form = context.Request.HasFormContentType
                ? (await context.Request.ReadFormAsync()).ToDictionary(f => f.Key, f => f.Value.ToString())
                : [];
            receiver.received.Writer.TryWrite(new Received(
                context.Request.Method,
                $"{context.Request.Scheme}://{context.Request.Host}{context.Request.Path}{context.Request.QueryString}",
                context.Request.Headers.ToDictionary(h => h.Key, h => h.Value.ToString(), StringComparer.OrdinalIgnoreCase),
                form));
            return await receiver.Answer(context);
        });
        await app.StartAsync();
        receiver.BaseUrl = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();
        return receiver;
    }

    public async Task<Received> NextAsync(TimeSpan? timeout = null) =>
        await received.Reader.ReadAsync().AsTask().WaitAsync(timeout ?? TimeSpan.FromSeconds(30));

    public bool TryNext(out Received? request) => received.Reader.TryRead(out request);

    public async ValueTask DisposeAsync()
    {
        await app.StopAsync();
        await app.DisposeAsync();
    }
}
