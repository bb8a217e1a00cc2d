using Contacto.Server;
using System.Net;
using System.Text.Json;
using Contacto.Carriers;
using Contacto.CarrierSim;
using Contacto.Smpp.Protocol;
using Contacto.Storage;
using Contacto.Testing;
using Contacto.Webhooks;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.DependencyInjection;

namespace Contacto.Tests.Messaging;

/// <summary>
/// Plivo's message status callbacks, end to end: the real server sends through the simulated
/// carriers, and a loopback endpoint receives what a customer's application would.
/// </summary>
public sealed class MessageCallbackTests : IAsyncLifetime
{
    static readonly string[] AllowLoopback = ["--Webhooks:AllowedNetworks:0", "127.0.0.0/8"];
    static readonly TimeSpan Within = TimeSpan.FromSeconds(30);

    /// <summary>Every callback carries these; the state adds SentTime, DeliveryReportTime and ErrorCode as Plivo does.</summary>
    static readonly string[] Always =
    [
        "MessageUUID", "ParentMessageUUID", "PartInfo", "Sequence", "From", "To", "Type", "Status", "Units", "TotalRate",
        "TotalAmount", "MCC", "MNC", "MessageTime", "QueuedTime", "requester_ip", "PowerpackUUID",
    ];

    static string[] Expected(string state) => state switch
    {
        "queued" => Always,
        "sent" => [.. Always, "SentTime"],
        "delivered" => [.. Always, "SentTime", "DeliveryReportTime"],
        "undelivered" => [.. Always, "SentTime", "DeliveryReportTime", "ErrorCode"],
        _ => [.. Always, "ErrorCode"],
    };

    CallbackReceiver receiver = null!;

    public async Task InitializeAsync() => receiver = await CallbackReceiver.StartAsync();

    public async Task DisposeAsync() => await receiver.DisposeAsync();

    [Theory]
    [MemberData(nameof(TestStorage.Providers), MemberType = typeof(TestStorage))]
    public async Task A_delivered_message_reports_queued_sent_and_delivered_in_order_signed_as_Plivo_does(StorageProvider provider)
    {
        using var storage = await TestStorage.CreateAsync(provider);
        await using var server = await RunningServer.StartAsync(storage, AllowLoopback);
        var sender = await MessagingHarness.CreateAsync(server);
        var url = $"{receiver.BaseUrl}/status/?key=callback-url-secret";

        var id = await SendAsync(sender, new { src = MessagingHarness.Sender, dst = MessagingHarness.Destination(1), text = new string('x', 200), url });

        var callbacks = new List<CallbackReceiver.Received>();
        for (var i = 0; i < 3; i++)
            callbacks.Add(await receiver.NextAsync(Within));
        Assert.Equal(["queued", "sent", "delivered"], callbacks.Select(c => c.Form["Status"]));
        foreach (var callback in callbacks)
        {
            Assert.Equal("POST", callback.Method);
            Assert.Equal(Expected(callback.Form["Status"]).Order(StringComparer.Ordinal), callback.Form.Keys.Order(StringComparer.Ordinal));
            Assert.Equal(id, callback.Form["MessageUUID"]);
            Assert.Equal(id, callback.Form["ParentMessageUUID"]);
            Assert.Equal(MessagingHarness.Sender.TrimStart('+'), callback.Form["From"]);
            Assert.Equal(MessagingHarness.Destination(1).TrimStart('+'), callback.Form["To"]);
            Assert.Equal("sms", callback.Form["Type"]);
            Assert.Equal("2", callback.Form["Units"]);
            Assert.Equal("0.00000", callback.Form["TotalAmount"]);
            Assert.Matches(@"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{6}$", callback.Form["QueuedTime"]);
            AssertSigned(callback, "POST", url, callback.Form, sender.Token);
        }

        // The official SDK's validators accept what Contacto signed.
        var delivered = callbacks[^1];
        var checkedBySdk = (await NodeSdk.ValidateCallbackAsync(delivered, url, sender.Token, delivered.Form))[0];
        Assert.True(checkedBySdk.GetProperty("v3").GetBoolean(), "the SDK refused the V3 signature");
        Assert.True(checkedBySdk.GetProperty("v2").GetBoolean(), "the SDK refused the V2 signature");

        // The owner sees each callback and its attempts; never the URL.
        var history = await WaitForCallbacksAsync(sender, id, 3);
        Assert.DoesNotContain("callback-url-secret", history.GetRawText());
        Assert.DoesNotContain(PlivoSignature.V3Header, history.GetRawText(), StringComparison.OrdinalIgnoreCase);
        var objects = history.GetProperty("objects").EnumerateArray().ToList();
        Assert.Equal(["queued", "sent", "delivered"], objects.Select(o => o.Str("message_state")));
        foreach (var delivery in objects)
        {
            Assert.Equal("delivered", delivery.Str("state"));
            Assert.Equal("POST", delivery.Str("method"));
            Assert.Equal(JsonValueKind.Null, delivery.GetProperty("next_attempt_time").ValueKind);
            var attempt = Assert.Single(delivery.GetProperty("attempts").EnumerateArray());
            Assert.Equal(200, attempt.GetProperty("status_code").GetInt32());
            Assert.Equal("delivered", attempt.Str("outcome"));
            Assert.True(attempt.GetProperty("latency_ms").GetDouble() >= 0);
        }

        // Another tenant cannot see them; the owner's read is in its audit trail.
        var (other, otherToken) = await server.CreateAccountAsync("Other");
        using var asOther = server.ApiClient(other.AuthId, otherToken);
        Assert.Equal(HttpStatusCode.NotFound, (await asOther.GetJsonAsync($"/v1/Account/{other.AuthId}/Message/{id}/Callback/")).Status);
        var (_, trail) = await sender.Client.GetJsonAsync($"/v1/Account/{sender.AuthId}/AuditLog/?action=message.callbacks_read");
        Assert.Contains(trail.GetProperty("objects").EnumerateArray(), r => r.Str("resource_id") == id);
    }

    [Theory]
    [MemberData(nameof(TestStorage.Providers), MemberType = typeof(TestStorage))]
    public async Task An_undelivered_receipt_reports_its_error_code_and_numbers_even_without_log(StorageProvider provider)
    {
        using var storage = await TestStorage.CreateAsync(provider);
        await using var server = await RunningServer.StartAsync(storage, AllowLoopback);
        var sender = await MessagingHarness.CreateAsync(server);
        EveryCarrier(server, options => options with { ReceiptOutcomes = [new(MessageState.Undeliverable, 1)] });
        var url = $"{receiver.BaseUrl}/status/";

        var id = await SendAsync(sender, new { src = MessagingHarness.Sender, dst = MessagingHarness.Destination(2), text = "secret", url, log = "false" });

        var last = await NextWithStatusAsync("undelivered");
        Assert.Equal(Expected("undelivered").Order(StringComparer.Ordinal), last.Form.Keys.Order(StringComparer.Ordinal));
        Assert.Equal("70", last.Form["ErrorCode"]);
        Assert.Equal(MessagingHarness.Destination(2).TrimStart('+'), last.Form["To"]);
        Assert.Equal(MessagingHarness.Sender.TrimStart('+'), last.Form["From"]);
        AssertSigned(last, "POST", url, last.Form, sender.Token);
        // The MDR itself forgot the numbers.
        Assert.Equal(JsonValueKind.Null, (await sender.GetAsync(id)).GetProperty("to_number").ValueKind);
    }

    [Theory]
    [MemberData(nameof(TestStorage.Providers), MemberType = typeof(TestStorage))]
    public async Task A_message_every_carrier_refuses_reports_failed_with_its_error_code(StorageProvider provider)
    {
        using var storage = await TestStorage.CreateAsync(provider);
        await using var server = await RunningServer.StartAsync(storage, AllowLoopback);
        var sender = await MessagingHarness.CreateAsync(server);
        EveryCarrier(server, options => options with { RejectRate = 1, RejectStatus = CommandStatus.InvalidDestinationAddress });
        var url = $"{receiver.BaseUrl}/status/";

        var id = await SendAsync(sender, new { src = MessagingHarness.Sender, dst = MessagingHarness.Destination(3), text = "hi", url });

        Assert.Equal("queued", (await receiver.NextAsync(Within)).Form["Status"]);
        var failed = await receiver.NextAsync(Within);
        Assert.Equal("failed", failed.Form["Status"]);
        Assert.Equal(id, failed.Form["MessageUUID"]);
        Assert.Equal(Expected("failed").Order(StringComparer.Ordinal), failed.Form.Keys.Order(StringComparer.Ordinal));
        Assert.Equal("50", failed.Form["ErrorCode"]);
        AssertSigned(failed, "POST", url, failed.Form, sender.Token);
    }

    [Fact]
    public async Task A_GET_callback_carries_its_parameters_in_the_signed_query()
    {
        using var storage = await TestStorage.CreateAsync(StorageProvider.Sqlite);
        await using var server = await RunningServer.StartAsync(storage, AllowLoopback);
        var sender = await MessagingHarness.CreateAsync(server);

        var id = await SendAsync(sender, new { src = MessagingHarness.Sender, dst = MessagingHarness.Destination(4), text = "hi", url = $"{receiver.BaseUrl}/get-status", method = "GET" });

        var queued = await receiver.NextAsync(Within);
        Assert.Equal("GET", queued.Method);
        Assert.Empty(queued.Form);
        var query = QueryHelpers.ParseQuery(new Uri(queued.Url).Query).ToDictionary(q => q.Key, q => q.Value.ToString());
        Assert.Equal("queued", query["Status"]);
        Assert.Equal(id, query["MessageUUID"]);
        Assert.Equal(Expected("queued").Order(StringComparer.Ordinal), query.Keys.Order(StringComparer.Ordinal));
        AssertSigned(queued, "GET", queued.Url, [], sender.Token);
        var checkedBySdk = (await NodeSdk.ValidateCallbackAsync(queued, queued.Url, sender.Token, []))[0];
        Assert.True(checkedBySdk.GetProperty("v3").GetBoolean(), "the SDK refused the GET callback's V3 signature");
    }

    static void EveryCarrier(RunningServer server, Func<SmscSimulatorOptions, SmscSimulatorOptions> change)
    {
        foreach (var simulator in server.Services.GetRequiredService<SimulatedCarriers>().Running)
            simulator.Options = change(simulator.Options);
    }

    static async Task<string> SendAsync(MessagingHarness sender, object body)
    {
        var (status, answer) = await sender.Client.PostJsonAsync(sender.MessagePath, body);
        Assert.True(status == HttpStatusCode.Accepted, $"send answered {status}: {answer}");
        return answer.GetProperty("message_uuid")[0].GetString()!;
    }

    async Task<CallbackReceiver.Received> NextWithStatusAsync(string status)
    {
        while (true)
        {
            var next = await receiver.NextAsync(Within);
            if (next.Form.GetValueOrDefault("Status") == status)
                return next;
        }
    }

    /// <summary>V3 with the account's token and the main account's (the same here), as PlivoSignature computes them.</summary>
    static void AssertSigned(CallbackReceiver.Received callback, string method, string url, Dictionary<string, string> form, string token)
    {
        var nonce = callback.Headers[PlivoSignature.V3NonceHeader];
        Assert.Matches("^[0-9]{20}$", nonce);
        var expected = PlivoSignature.V3(method, new Uri(url), form, nonce, token);
        Assert.Equal(expected, callback.Headers[PlivoSignature.V3Header]);
        Assert.Equal(expected, callback.Headers[PlivoSignature.V3MainAccountHeader]);
    }

    /// <summary>Reads the callbacks endpoint until <paramref name="count"/> callbacks are delivered (the sender records an attempt after the answer).</summary>
    static async Task<JsonElement> WaitForCallbacksAsync(MessagingHarness sender, string id, int count)
    {
        using var deadline = new CancellationTokenSource(Within);
        using var tick = new PeriodicTimer(TimeSpan.FromMilliseconds(50));
        while (true)
        {
            var (status, body) = await sender.Client.GetJsonAsync($"{sender.MessagePath}{id}/Callback/");
            Assert.Equal(HttpStatusCode.OK, status);
            var done = body.GetProperty("objects").EnumerateArray().Count(o => o.Str("state") == "delivered");
            if (done == count)
                return body;
            Assert.False(deadline.IsCancellationRequested, $"only {done} of {count} callbacks delivered");
            await tick.WaitForNextTickAsync();
        }
    }
}
