using Contacto.Testing;
using Contacto.Webhooks;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Options;

namespace Contacto.Tests.Webhooks;

/// <summary>Real callbacks to a loopback endpoint (allow-listed for the test, as an operator would).</summary>
public sealed class WebhookClientTests : IAsyncLifetime
{
    const string Token = "SubAccountToken0123456789abcdefghijklmno";
    const string MainToken = "MainAccountToken0123456789abcdefghijklmn";
    CallbackReceiver receiver = null!;

    public async Task InitializeAsync() => receiver = await CallbackReceiver.StartAsync();

    public async Task DisposeAsync() => await receiver.DisposeAsync();

    static WebhookClient Client(int timeoutSeconds = 5, params string[] allowed) =>
        new(new OutboundUrlPolicy(Options.Create(new WebhookOptions { AllowedNetworks = allowed.Length == 0 ? ["127.0.0.0/8"] : allowed })),
            Options.Create(new WebhookOptions { TimeoutSeconds = timeoutSeconds, MaxRedirects = 2 }));

    static readonly KeyValuePair<string, string>[] Fields = [new("MessageUUID", "0195f3a2-7c1e-7b11-9c3d-123456789abc"), new("Status", "delivered"), new("Text", "olá mundo")];

    [Fact]
    public async Task A_POST_callback_arrives_as_a_form_signed_so_the_official_SDK_accepts_it()
    {
        using var client = Client();
        var url = $"{receiver.BaseUrl}/status?ref=42";

        var result = await client.SendAsync(new Callback(url, "POST", Fields, Token, MainToken), CancellationToken.None);

        Assert.Equal(AttemptOutcome.Delivered, result.Outcome);
        var got = await receiver.NextAsync();
        Assert.Equal("POST", got.Method);
        Assert.Equal("delivered", got.Form["Status"]);
        Assert.Equal("olá mundo", got.Form["Text"]);
        var checks = await NodeSdk.ValidateCallbackAsync(got, url, Token, got.Form);
        Assert.True(checks[0].GetProperty("v3").GetBoolean(), "the SDK rejected the V3 signature");
        Assert.True(checks[0].GetProperty("v2").GetBoolean(), "the SDK rejected the V2 signature");
        var main = await NodeSdk.ValidateCallbackAsync(got, url, MainToken, got.Form, PlivoSignature.V3MainAccountHeader);
        Assert.True(main[0].GetProperty("v3").GetBoolean(), "the SDK rejected the main-account signature");
    }

    [Fact]
    public async Task A_GET_callback_carries_its_fields_in_the_query_and_verifies()
    {
        using var client = Client();

        var result = await client.SendAsync(new Callback($"{receiver.BaseUrl}/status", "GET", Fields, Token, MainToken), CancellationToken.None);

        Assert.Equal(AttemptOutcome.Delivered, result.Outcome);
        var got = await receiver.NextAsync();
        Assert.Equal("GET", got.Method);
        Assert.Contains("Status=delivered", got.Url);
        var checks = await NodeSdk.ValidateCallbackAsync(got, got.Url, Token, []);
        Assert.True(checks[0].GetProperty("v3").GetBoolean());
    }

    [Theory]
    [InlineData(500, AttemptOutcome.Retry)]
    [InlineData(503, AttemptOutcome.Retry)]
    [InlineData(429, AttemptOutcome.Retry)]
    [InlineData(404, AttemptOutcome.GiveUp)]
    [InlineData(400, AttemptOutcome.GiveUp)]
    [InlineData(204, AttemptOutcome.Delivered)]
    public async Task The_answer_decides_between_delivered_retry_and_give_up(int status, AttemptOutcome expected)
    {
        receiver.Answer = _ => Task.FromResult(Results.StatusCode(status));
        using var client = Client();
        var result = await client.SendAsync(new Callback($"{receiver.BaseUrl}/x", "POST", Fields, Token, MainToken), CancellationToken.None);
        Assert.Equal(expected, result.Outcome);
        Assert.Equal(status, result.Status);
    }

    [Fact]
    public async Task A_slow_endpoint_times_out_and_is_retried_later()
    {
        var never = new TaskCompletionSource<IResult>();
        receiver.Answer = _ => never.Task;
        using var client = Client(timeoutSeconds: 1);
        var result = await client.SendAsync(new Callback($"{receiver.BaseUrl}/slow", "POST", Fields, Token, MainToken), CancellationToken.None);
        Assert.Equal(AttemptOutcome.Retry, result.Outcome);
        Assert.Equal("timed out", result.Error);
        never.SetResult(Results.Ok());
    }

    [Fact]
    public async Task One_deadline_covers_every_hop_of_a_redirected_callback()
    {
        // Each hop answers within the deadline; together they do not.
        receiver.Answer = async context =>
        {
            await Task.Delay(TimeSpan.FromSeconds(2), context.RequestAborted);
            return context.Request.Path == "/first" ? Results.Redirect("/second", permanent: false, preserveMethod: true) : Results.Ok();
        };
        using var client = Client(timeoutSeconds: 3);
        await client.SendAsync(new Callback($"{receiver.BaseUrl}/second", "POST", Fields, Token, MainToken), CancellationToken.None); // connected and warm

        var result = await client.SendAsync(new Callback($"{receiver.BaseUrl}/first", "POST", Fields, Token, MainToken), CancellationToken.None);

        Assert.Equal(AttemptOutcome.Retry, result.Outcome);
        Assert.Equal("timed out", result.Error);
        // Each hop had its own time-out before, and this one was delivered after 4 s. How soon after
        // the deadline the cancellation lands depends on the machine's load, so only the floor is checked,
        // less a little: the deadline's timer counts whole milliseconds of a coarser clock than the stopwatch's.
        Assert.True(result.Latency >= TimeSpan.FromSeconds(2.95), $"gave up after {result.Latency.TotalSeconds:F3} s, before the deadline");
    }

    [Fact]
    public async Task Redirects_are_followed_only_to_allowed_addresses()
    {
        receiver.Answer = context => Task.FromResult(context.Request.Path == "/first"
            ? Results.Redirect("/second", permanent: false, preserveMethod: true)
            : context.Request.Path == "/evil" ? Results.Redirect("http://169.254.169.254/latest/meta-data/") : Results.Ok());
        using var client = Client();

        var followed = await client.SendAsync(new Callback($"{receiver.BaseUrl}/first", "POST", Fields, Token, MainToken), CancellationToken.None);
        Assert.Equal(AttemptOutcome.Delivered, followed.Outcome);
        Assert.EndsWith("/first", (await receiver.NextAsync()).Url);
        var second = await receiver.NextAsync();
        Assert.EndsWith("/second", second.Url);
        Assert.Equal("POST", second.Method);

        var refused = await client.SendAsync(new Callback($"{receiver.BaseUrl}/evil", "POST", Fields, Token, MainToken), CancellationToken.None);
        Assert.Equal(AttemptOutcome.GiveUp, refused.Outcome);
        Assert.StartsWith("refused", refused.Error);
    }

    [Fact]
    public async Task Without_an_allow_list_loopback_is_never_contacted()
    {
        using var client = Client(allowed: "203.0.113.0/24");
        var result = await client.SendAsync(new Callback($"{receiver.BaseUrl}/x", "POST", Fields, Token, MainToken), CancellationToken.None);
        Assert.Equal(AttemptOutcome.GiveUp, result.Outcome);
        Assert.False(receiver.TryNext(out _), "the refused callback reached the endpoint");
    }
}
