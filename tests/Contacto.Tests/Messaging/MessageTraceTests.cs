using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using Contacto.Storage;
using Contacto.Testing;
using Contacto.Tests.Status;

namespace Contacto.Tests.Messaging;

/// <summary>A message's path is one trace, named after the message, and reaches an OTLP collector when one is configured.</summary>
public sealed class MessageTraceTests
{
    static readonly TimeSpan Within = TimeSpan.FromSeconds(30);
    static readonly string[] Delivered = ["delivered"];

    [Fact]
    public async Task Accepting_submitting_and_settling_a_message_are_spans_of_the_trace_named_after_it_without_its_numbers()
    {
        var spans = new ConcurrentQueue<Activity>();
        using var listener = Listen(spans);
        using var storage = await TestStorage.CreateAsync(StorageProvider.Sqlite);
        await using var server = await RunningServer.StartAsync(storage);
        var sender = await MessagingHarness.CreateAsync(server);

        var id = Assert.Single(await sender.SendAsync(MessagingHarness.Destination(7)));
        MessagingHarness.AssertAll(await sender.WaitForStatesAsync([id], Delivered, Within), 1, Delivered);

        // Other tests of this process trace their own messages: only this message's trace counts.
        var trace = spans.Where(s => s.TraceId.ToHexString() == Guid.Parse(id).ToString("N")).ToList();
        Assert.Equal(["message.accept", "message.settle", "message.submit"], trace.Select(s => s.OperationName).Order());
        Assert.Equal("Accepted", trace.Single(s => s.OperationName == "message.submit").GetTagItem("contacto.carrier.outcome"));
        Assert.Equal("delivered", trace.Single(s => s.OperationName == "message.settle").GetTagItem("contacto.message.state"));
        Assert.All(trace.SelectMany(s => s.Tags), tag => Assert.DoesNotContain("913000", tag.Value));
    }

    [Fact]
    public async Task Each_callback_attempt_for_a_message_is_a_span_of_its_trace_without_the_callback_url()
    {
        var spans = new ConcurrentQueue<Activity>();
        using var listener = Listen(spans);
        await using var receiver = await CallbackReceiver.StartAsync();
        using var storage = await TestStorage.CreateAsync(StorageProvider.Sqlite);
        await using var server = await RunningServer.StartAsync(storage, ["--Webhooks:AllowedNetworks:0", "127.0.0.0/8"]);
        var sender = await MessagingHarness.CreateAsync(server);
        var url = $"{receiver.BaseUrl}/status/?key=callback-url-secret";

        var (status, body) = await sender.Client.PostJsonAsync(sender.MessagePath, new { src = MessagingHarness.Sender, dst = MessagingHarness.Destination(9), text = "hi", url });
        Assert.Equal(HttpStatusCode.Accepted, status);
        var id = body.GetProperty("message_uuid")[0].GetString()!;
        for (var i = 0; i < 3; i++)
            await receiver.NextAsync(Within);

        // The span ends once the answer is read, a moment after the receiver has the request.
        List<Activity> Attempts() => [.. spans.Where(s => s.TraceId.ToHexString() == Guid.Parse(id).ToString("N") && s.OperationName == "callback.attempt")];
        using var deadline = new CancellationTokenSource(Within);
        while (Attempts().Count < 3 && !deadline.IsCancellationRequested)
            await Task.Delay(20);
        var attempts = Attempts();
        Assert.Equal(3, attempts.Count);
        Assert.All(attempts, a => Assert.Equal(ActivityKind.Client, a.Kind));
        Assert.All(attempts, a => Assert.Equal("delivered", a.GetTagItem("contacto.callback.outcome")));
        Assert.All(attempts, a => Assert.Equal(200, a.GetTagItem("http.response.status_code")));
        Assert.All(attempts, a => Assert.Equal(sender.AccountId.ToString(), a.GetTagItem("contacto.account.id")));
        Assert.All(attempts.SelectMany(a => a.Tags), tag => Assert.DoesNotContain("callback-url-secret", tag.Value));
        Assert.All(attempts.SelectMany(a => a.Tags), tag => Assert.DoesNotContain("913000", tag.Value));
    }

    [Fact]
    public async Task With_an_OTLP_endpoint_configured_the_spans_are_exported_to_it()
    {
        await using var collector = await FakeHttpReceiver.StartAsync();
        using var storage = await TestStorage.CreateAsync(StorageProvider.Sqlite);
        var server = await RunningServer.StartAsync(storage, ["--Tracing:OtlpEndpoint", $"{collector.BaseUrl}/v1/traces"]);
        var sender = await MessagingHarness.CreateAsync(server);
        var id = Assert.Single(await sender.SendAsync(MessagingHarness.Destination(8)));
        MessagingHarness.AssertAll(await sender.WaitForStatesAsync([id], Delivered, Within), 1, Delivered);

        await server.DisposeAsync(); // flushes what the exporter holds

        var exported = new List<ReceivedRequest>();
        while (!exported.Any(r => r.Body.Contains("message.settle")))
            exported.Add(await collector.NextAsync(Within));
        Assert.All(exported, r => Assert.Equal("/v1/traces", r.Path));
        Assert.All(exported, r => Assert.Equal("application/x-protobuf", r.Headers["Content-Type"]));
        Assert.Contains(exported, r => r.Body.Contains("message.submit"));
    }

    /// <summary>Collects every span of the platform's sources that ends in this process.</summary>
    static ActivityListener Listen(ConcurrentQueue<Activity> spans)
    {
        var listener = new ActivityListener
        {
            ShouldListenTo = source => source.Name.StartsWith("Contacto.", StringComparison.Ordinal),
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = spans.Enqueue,
        };
        ActivitySource.AddActivityListener(listener);
        return listener;
    }
}
