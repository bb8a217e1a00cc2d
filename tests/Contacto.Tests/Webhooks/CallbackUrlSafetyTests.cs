using System.Net;
using Contacto.Storage;
using Contacto.Testing;
using Contacto.Tests.Messaging;

namespace Contacto.Tests.Webhooks;

/// <summary>A message's status callback URL is checked when the message is sent, like an application's.</summary>
public sealed class CallbackUrlSafetyTests
{
    [Theory]
    [InlineData("http://169.254.169.254/latest/meta-data/", "not allowed")]
    [InlineData("http://127.0.0.1:9/status", "not allowed")]
    [InlineData("http://[::ffff:10.0.0.1]/status", "not allowed")]
    [InlineData("http://user:pw@example.com/status", "user name")]
    [InlineData("file:///etc/passwd", "http or https")]
    public async Task A_message_with_an_unsafe_callback_url_is_refused_and_not_queued(string url, string expected)
    {
        using var storage = await TestStorage.CreateAsync(StorageProvider.Sqlite);
        await using var server = await RunningServer.StartAsync(storage);
        var sender = await MessagingHarness.CreateAsync(server);

        var (status, error) = await sender.Client.PostJsonAsync(sender.MessagePath,
            new { src = MessagingHarness.Sender, dst = MessagingHarness.Destination(1), text = "hi", url });

        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Contains(expected, error.ErrorMessage());
        var (_, list) = await sender.Client.GetJsonAsync(sender.MessagePath);
        Assert.Equal(0, list.GetProperty("meta").GetProperty("total_count").GetInt32());
    }
}
