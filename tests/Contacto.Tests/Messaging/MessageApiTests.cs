using System.Net;
using System.Text.Json;
using Contacto.Storage;
using Contacto.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Contacto.Tests.Messaging;

/// <summary>The Message API end to end, through the in-process simulated carriers, on both providers.</summary>
public sealed class MessageApiTests
{
    static readonly TimeSpan Within = TimeSpan.FromSeconds(20);

    [Theory]
    [MemberData(nameof(TestStorage.Providers), MemberType = typeof(TestStorage))]
    public async Task A_message_goes_from_queued_to_delivered_with_its_MDR(StorageProvider provider)
    {
        using var storage = await TestStorage.CreateAsync(provider);
        await using var server = await RunningServer.StartAsync(storage);
        var sender = await MessagingHarness.CreateAsync(server);

        var (status, body) = await sender.Client.PostJsonAsync(sender.MessagePath, new
        {
            src = MessagingHarness.Sender.TrimStart('+'),
            dst = $"{MessagingHarness.Destination(1)}<12345<{MessagingHarness.Destination(2).TrimStart('+')}",
            text = new string('x', 200),
            url = "https://cb.example.com/status/",
        });

        Assert.Equal(HttpStatusCode.Accepted, status);
        Assert.Equal("message(s) queued", body.Str("message"));
        var ids = body.GetProperty("message_uuid").EnumerateArray().Select(e => e.GetString()!).ToList();
        Assert.Equal(2, ids.Count);
        Assert.Equal(["12345"], body.GetProperty("invalid_number").EnumerateArray().Select(e => e.GetString()));
        MessagingHarness.AssertAll(await sender.WaitForStatesAsync(ids, ["delivered"], Within), 2, "delivered");

        var mdr = await sender.GetAsync(ids[0]);
        Assert.Equal(ids[0], mdr.Str("message_uuid"));
        Assert.Equal("outbound", mdr.Str("message_direction"));
        Assert.Equal("delivered", mdr.Str("message_state"));
        Assert.Equal("sms", mdr.Str("message_type"));
        Assert.Equal("351912000001", mdr.Str("from_number"));
        Assert.Equal(MessagingHarness.Destination(1).TrimStart('+'), mdr.Str("to_number"));
        Assert.Equal(2, mdr.GetProperty("units").GetInt32());
        Assert.Equal("000", mdr.Str("error_code"));
        Assert.Equal("PT", mdr.Str("destination_country_iso2"));
        Assert.Equal($"/v1/Account/{sender.AuthId}/Message/{ids[0]}/", mdr.Str("resource_uri"));
        Assert.NotNull(mdr.Str("message_sent_time"));
        Assert.True(Guid.TryParse(mdr.Str("api_id"), out _));

        var newest = await sender.SendAsync(MessagingHarness.Destination(5));
        var (_, list) = await sender.Client.GetJsonAsync($"{sender.MessagePath}?limit=1");
        Assert.Equal(3, list.GetProperty("meta").GetProperty("total_count").GetInt32());
        Assert.Equal(newest[0], list.GetProperty("objects")[0].Str("message_uuid"));
        Assert.EndsWith("limit=1&offset=1", list.GetProperty("meta").Str("next"));
        var (_, filtered) = await sender.Client.GetJsonAsync($"{sender.MessagePath}?to_number={MessagingHarness.Destination(1).TrimStart('+')}&message_state=delivered");
        Assert.Equal([ids[0]], filtered.GetProperty("objects").EnumerateArray().Select(o => o.Str("message_uuid")));
        var (_, none) = await sender.Client.GetJsonAsync($"{sender.MessagePath}?message_time__gt=2099-01-01 00:00");
        Assert.Equal(0, none.GetProperty("objects").GetArrayLength());
    }

    [Theory]
    [MemberData(nameof(TestStorage.Providers), MemberType = typeof(TestStorage))]
    public async Task Log_decides_whether_text_and_numbers_are_kept_after_delivery(StorageProvider provider)
    {
        using var storage = await TestStorage.CreateAsync(provider);
        await using var server = await RunningServer.StartAsync(storage);
        var sender = await MessagingHarness.CreateAsync(server);
        // log as sent, what the MDR says, whether the text and the numbers are kept.
        (object Log, object Shown, bool Text, bool Numbers)[] modes =
        [
            (true, true, true, true), ("false", false, false, false), (false, false, false, false),
            ("content_only", "content_only", true, false), ("number_only", "number_only", false, true),
        ];
        var ids = new List<string>();
        foreach (var (mode, i) in modes.Select((m, i) => (m, i)))
        {
            var (status, body) = await sender.Client.PostJsonAsync(sender.MessagePath, new { src = MessagingHarness.Sender, dst = MessagingHarness.Destination(i), text = "secret", log = mode.Log });
            Assert.Equal(HttpStatusCode.Accepted, status);
            ids.Add(body.GetProperty("message_uuid")[0].GetString()!);
        }
        MessagingHarness.AssertAll(await sender.WaitForStatesAsync(ids, ["delivered"], Within), modes.Length, "delivered");

        await using var db = server.Services.GetRequiredService<IDbContextFactory<ContactoDbContext>>().CreateDbContext();
        foreach (var (mode, id) in modes.Zip(ids))
        {
            var mdr = await sender.GetAsync(id);
            Assert.Equal(JsonSerializer.Serialize(mode.Shown), mdr.GetProperty("log").GetRawText());
            Assert.Equal(mode.Numbers, mdr.GetProperty("to_number").ValueKind == JsonValueKind.String);
            Assert.Equal(mode.Numbers, mdr.GetProperty("from_number").ValueKind == JsonValueKind.String);
            var stored = await db.Set<Contacto.Messaging.Message>().SingleAsync(m => m.Id == Guid.Parse(id));
            Assert.Equal(mode.Text, stored.TextSealed is not null);
            Assert.Equal(mode.Numbers, stored.ToSealed is not null && stored.ToIndex is not null);
        }
        var (_, byNumber) = await sender.Client.GetJsonAsync($"{sender.MessagePath}?to_number={MessagingHarness.Destination(3).TrimStart('+')}");
        Assert.Equal(0, byNumber.GetProperty("objects").GetArrayLength());
    }

    public static TheoryData<object, string> BadSends => new()
    {
        { new { src = MessagingHarness.Sender, dst = MessagingHarness.Destination(1), text = "hi", colour = "red" }, "unknown parameter: colour" },
        { new { src = MessagingHarness.Sender, dst = MessagingHarness.Destination(1), text = new { nested = true } }, "text must be a string" },
        { new { src = MessagingHarness.Sender, dst = MessagingHarness.Destination(1) }, "text is required" },
        { new { src = MessagingHarness.Sender, dst = MessagingHarness.Destination(1), text = new string('a', 1601) }, "text is longer than 1600" },
        { new { src = MessagingHarness.Sender, dst = MessagingHarness.Destination(1), text = "hi", type = "mms" }, "type mms is not supported" },
        { new { src = MessagingHarness.Sender, dst = MessagingHarness.Destination(1), text = "hi", type = "whatsapp" }, "type whatsapp is not supported" },
        { new { src = "+351912999999", dst = MessagingHarness.Destination(1), text = "hi" }, "src is not a number of this account" },
        { new { src = "!!", dst = MessagingHarness.Destination(1), text = "hi" }, "src must be a number of this account or an alphanumeric sender id" },
        { new { src = MessagingHarness.Sender, dst = "123<abc", text = "hi" }, "no valid destination number" },
        { new { src = "Contacto", dst = "+14155552671", text = "hi" }, "alphanumeric sender ids cannot reach" },
        { new { src = MessagingHarness.Sender, dst = MessagingHarness.Destination(1), text = "hi", url = "ftp://example.com/" }, "url must be an absolute http or https URL" },
        { new { src = MessagingHarness.Sender, dst = MessagingHarness.Destination(1), text = "hi", method = "PUT" }, "method must be one of" },
        { new { src = MessagingHarness.Sender, dst = MessagingHarness.Destination(1), text = "hi", log = "maybe" }, "log must be true, false or one of: content_only, number_only" },
        { new { src = MessagingHarness.Sender, dst = MessagingHarness.Destination(1), text = "hi", media_urls = new[] { "https://example.com/a.png" } }, "media_urls and media_ids need type mms" },
        { "{\"src\": ", "malformed JSON body" },
    };

    [Theory]
    [MemberData(nameof(BadSends))]
    public async Task Bad_sends_get_a_400_that_says_why_and_queue_nothing(object body, string expected)
    {
        using var storage = await TestStorage.CreateAsync(StorageProvider.Sqlite);
        await using var server = await RunningServer.StartAsync(storage);
        var sender = await MessagingHarness.CreateAsync(server);

        var (status, answer) = await sender.Client.PostJsonAsync(sender.MessagePath, body);

        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Contains(expected, answer.ErrorMessage());
        var (_, list) = await sender.Client.GetJsonAsync(sender.MessagePath);
        Assert.Equal(0, list.GetProperty("meta").GetProperty("total_count").GetInt32());
    }

    [Fact]
    public async Task An_alphanumeric_sender_reaches_countries_that_allow_it()
    {
        using var storage = await TestStorage.CreateAsync(StorageProvider.Sqlite);
        await using var server = await RunningServer.StartAsync(storage);
        var sender = await MessagingHarness.CreateAsync(server);

        var (status, body) = await sender.Client.PostJsonAsync(sender.MessagePath, new { src = "Contacto", dst = $"{MessagingHarness.Destination(4)}<+14155552671", text = "hi" });

        Assert.Equal(HttpStatusCode.Accepted, status);
        Assert.Equal(["+14155552671"], body.GetProperty("invalid_number").EnumerateArray().Select(e => e.GetString()));
        var id = body.GetProperty("message_uuid")[0].GetString()!;
        MessagingHarness.AssertAll(await sender.WaitForStatesAsync([id], ["delivered"], Within), 1, "delivered");
        Assert.Equal("Contacto", (await sender.GetAsync(id)).Str("from_number"));
    }

    [Fact]
    public async Task Unknown_or_malformed_message_ids_are_not_found()
    {
        using var storage = await TestStorage.CreateAsync(StorageProvider.Sqlite);
        await using var server = await RunningServer.StartAsync(storage);
        var sender = await MessagingHarness.CreateAsync(server);

        Assert.Equal(HttpStatusCode.NotFound, (await sender.Client.GetJsonAsync($"{sender.MessagePath}{Guid.CreateVersion7()}/")).Status);
        Assert.Equal(HttpStatusCode.NotFound, (await sender.Client.GetJsonAsync($"{sender.MessagePath}not-a-uuid/")).Status);
        var (status, body) = await sender.Client.GetJsonAsync($"{sender.MessagePath}?message_state=lost");
        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Contains("message_state must be one of", body.ErrorMessage());
    }

    [Fact]
    public async Task Sending_faster_than_the_account_rate_gets_429_with_Retry_After()
    {
        using var storage = await TestStorage.CreateAsync(StorageProvider.Sqlite);
        await using var server = await RunningServer.StartAsync(storage, ["--Messaging:AccountMessagesPerSecond", "2"]);
        var sender = await MessagingHarness.CreateAsync(server);

        await sender.SendAsync(MessagingHarness.Destination(1), MessagingHarness.Destination(2));
        using var request = new HttpRequestMessage(HttpMethod.Post, sender.MessagePath)
        {
            Content = System.Net.Http.Json.JsonContent.Create(new { src = MessagingHarness.Sender, dst = MessagingHarness.Destination(3), text = "hi" }),
        };
        using var response = await sender.Client.SendAsync(request);

        Assert.Equal(HttpStatusCode.TooManyRequests, response.StatusCode);
        Assert.NotNull(response.Headers.RetryAfter);
        var (status, body) = await sender.Client.PostJsonAsync(sender.MessagePath,
            new { src = MessagingHarness.Sender, dst = string.Join('<', Enumerable.Range(1, 3).Select(MessagingHarness.Destination)), text = "hi" });
        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Contains("more destinations than this account may send in a second (2)", body.ErrorMessage());
    }
}
