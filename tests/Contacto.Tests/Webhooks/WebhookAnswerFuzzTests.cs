using Contacto.Messaging;
using Contacto.Testing;
using Contacto.Tests.Messaging;
using Contacto.Webhooks;
using CsCheck;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Options;
using Xunit.Abstractions;

namespace Contacto.Tests.Webhooks;

/// <summary>
/// Whatever an application's endpoint answers a callback with (any status, hostile redirects,
/// binary or oversized bodies, invalid UTF-8, XML bombs, a body cut off half way), an attempt ends
/// in an outcome within its deadline, never an exception, and a reply is read only up to the cap
/// and then parsed or refused cleanly.
/// </summary>
public sealed class WebhookAnswerFuzzTests(ITestOutputHelper output) : IAsyncLifetime
{
    const int Answers = 300;
    const ulong Seed = 35_0002;
    CallbackReceiver receiver = null!;

    public async Task InitializeAsync() => receiver = await CallbackReceiver.StartAsync();

    public async Task DisposeAsync() => await receiver.DisposeAsync();

    /// <summary>One generated answer, written as given; <see cref="CutAfter"/> aborts the connection after that many bytes of the body.</summary>
    sealed record HostileAnswer(int Status, string? ContentType, string? Location, byte[] Body, int? CutAfter) : IResult
    {
        public async Task ExecuteAsync(HttpContext context)
        {
            context.Response.StatusCode = Status;
            if (ContentType is not null)
                context.Response.Headers.ContentType = ContentType;
            if (Location is not null)
                context.Response.Headers.Location = Location;
            await context.Response.Body.WriteAsync(Body.AsMemory(0, CutAfter is { } cut ? Math.Min(cut, Body.Length) : Body.Length));
            if (CutAfter is not null)
            {
                await context.Response.Body.FlushAsync();
                context.Abort();
            }
        }

        public override string ToString() =>
            $"{Status} type {ContentType ?? "none"}, location {Location ?? "none"}, {Body.Length} bytes{(CutAfter is { } cut ? $" cut after {cut}" : "")}: " +
            System.Text.Json.JsonSerializer.Serialize(System.Text.Encoding.Latin1.GetString(Body, 0, Math.Min(Body.Length, 120)));
    }

    static readonly Gen<byte[]> Bodies = Gen.Frequency(
        (3, MessageReplyXmlTests.HostileXml.Select(System.Text.Encoding.UTF8.GetBytes)),
        (2, Gen.Byte.Array[0, 2_000]),
        (1, Gen.Int[WebhookClient.MaxReplyBytes - 2, WebhookClient.MaxReplyBytes + 2].Select(n => System.Text.Encoding.ASCII.GetBytes("<Response>" + new string(' ', Math.Max(0, n - 21)) + "</Response>"))),
        (1, Gen.Int[WebhookClient.MaxReplyBytes, 600_000].Select(n => new byte[n])),
        (1, Gen.Const<byte[]>([0xEF, 0xBB, 0xBF, 0xFF, 0xFE, (byte)'<', 0xC3, 0x28])));

    static readonly Gen<HostileAnswer> Answer = Gen.Select(
            Gen.Frequency((6, Gen.Int[200, 204]), (2, Gen.OneOf(301, 302, 303, 307, 308)), (1, Gen.Int[100, 599])),
            Gen.OneOf<string?>("application/xml", "text/xml; charset=utf-8", "text/xml; charset=utf-16", "application/octet-stream", "text/plain", "x/y; charset=\"", null),
            Gen.Frequency((3, Gen.Const((string?)null)), (2, Gen.OneOf<string?>(
                "/next", "//evil.example/x", "http://169.254.169.254/latest/meta-data/", "file:///etc/passwd", "https://[::1", "javascript:alert(1)",
                "ftp://127.0.0.1/", "/" + new string('a', 9_000), "\t/spaced", "https://127.0.0.1:1/", "gopher://127.0.0.1:6379/_INFO"))),
            Bodies,
            Gen.Frequency((5, Gen.Const((int?)null)), (1, Gen.Int[0, 500].Select(n => (int?)n))))
        .Select((status, type, location, body, cut) => new HostileAnswer(status, type, location, body, cut));

    [Fact]
    public async Task Any_answer_ends_in_an_outcome_within_the_deadline_and_replies_parse_or_are_refused()
    {
        using var client = new WebhookClient(new OutboundUrlPolicy(Options.Create(new WebhookOptions { AllowedNetworks = ["127.0.0.0/8"] })),
            Options.Create(new WebhookOptions { TimeoutSeconds = 5, MaxRedirects = 2 }));
        var answers = new HostileAnswer[Answers];
        for (var i = 0; i < Answers; i++)
            answers[i] = Answer.Generate(new PCG(37, Seed + (ulong)i), null, out Size _);
        // Every request of attempt i (its redirects too) gets answer i: the attempt's number rides in the first path segment.
        receiver.Answer = context => Task.FromResult<IResult>(answers[int.Parse(context.Request.Path.Value!.Split('/')[1], System.Globalization.CultureInfo.InvariantCulture)]);
        var outcomes = new Dictionary<string, int>();

        for (var i = 0; i < Answers; i++)
        {
            var attempt = client.SendAsync(new Callback($"{receiver.BaseUrl}/{i}/reply", "POST", [new("Text", "hi")], "token", "main", ReadsReply: true), CancellationToken.None);
            Assert.True(await Task.WhenAny(attempt, Task.Delay(TimeSpan.FromSeconds(30))) == attempt, $"answer {i} was never done with: {answers[i]}");
            var result = await attempt;
            var key = $"{result.Outcome}{(result.Reply?.TooLarge == true ? " (too large)" : "")}";
            outcomes[key] = outcomes.GetValueOrDefault(key) + 1;
            if (result.Reply is { Body: { } body })
            {
                Assert.True(body.Length <= WebhookClient.MaxReplyBytes, $"answer {i}: a reply past the cap was kept");
                if (MessageReplyXml.LooksLikeXml(body))
                    MessageReplyXmlTests.ParsesOrIsRefused(body);
            }
            while (receiver.TryNext(out _))
            {
            }
        }
        output.WriteLine($"{Answers} hostile answers (seed {Seed}): {string.Join(", ", outcomes.Select(o => $"{o.Key} x{o.Value}"))}");
        Assert.True(outcomes.Count >= 3, "the answers did not reach delivered, retry and give-up outcomes");
    }
}
