using System.Net;
using System.Net.Sockets;
using Contacto.Storage;
using Contacto.Testing;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace Contacto.Server.Tests;

public sealed class ShutdownTests
{
    [Fact]
    public async Task Stopping_finishes_in_flight_requests_and_accepts_no_new_connections()
    {
        using var storage = await TestStorage.CreateAsync(StorageProvider.Sqlite);
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var server = await RunningServer.StartAsync(storage, map: app => app.MapGet("/test/slow", async () =>
        {
            started.SetResult();
            await release.Task;
            return Results.Text("finished");
        }));

        var inFlight = server.Public.GetAsync("/test/slow");
        await started.Task.WaitAsync(TimeSpan.FromSeconds(30));
        var stopping = server.App.StopAsync();

        // The listener closes at once: a new connection is refused while the old request runs.
        await Assert.ThrowsAnyAsync<SocketException>(async () =>
        {
            using var late = new TcpClient();
            await late.ConnectAsync(IPAddress.Loopback, server.PublicPort);
        });
        Assert.False(inFlight.IsCompleted);

        release.SetResult();
        using var response = await inFlight.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("finished", await response.Content.ReadAsStringAsync());
        await stopping.WaitAsync(TimeSpan.FromSeconds(30));
    }
}
