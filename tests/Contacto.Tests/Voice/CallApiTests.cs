using System.Net;
using System.Text.Json;
using Contacto.Carriers;
using Contacto.CarrierSim.Sip;
using Contacto.Server;
using Contacto.Storage;
using Contacto.Testing;
using Contacto.Webhooks;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace Contacto.Tests.Voice;

/// <summary>
/// Calls placed through the Call API on the embedded default, as customers place them: through
/// the simulated SIP trunks (real SIP over TLS, real RTP), the customer's application on a
/// loopback HTTP server answering in Plivo XML, callbacks signed, CDRs read back through the API.
/// </summary>
public sealed class CallApiTests : IAsyncLifetime
{
    static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);
    const string Destination = "+351913000001";

    CallbackReceiver app = null!;

    public async Task InitializeAsync() => app = await CallbackReceiver.StartAsync();

    public async Task DisposeAsync() => await app.DisposeAsync();

    sealed record Setup(RunningServer Server, MessagingHarness Account) : IAsyncDisposable
    {
        public string CallPath => $"/v1/Account/{Account.AuthId}/Call/";

        public void Trunks(Func<SipTrunkSimulatorOptions, SipTrunkSimulatorOptions> change)
        {
            var simulated = Server.Services.GetRequiredService<SimulatedCarriers>();
            foreach (var name in SimulatedCarriers.TrunkNames)
                simulated.Trunk(name).Options = change(simulated.Trunk(name).Options);
        }

        public async ValueTask DisposeAsync() => await Server.DisposeAsync();
    }

    static async Task<Setup> StartAsync(TestStorage storage, params string[] arguments)
    {
        var server = await RunningServer.StartAsync(storage, ["--Webhooks:AllowedNetworks:0", "127.0.0.0/8", .. arguments]);
        var pool = server.Services.GetRequiredService<CarrierPool>();
        using (var deadline = new CancellationTokenSource(Patience))
            await Task.WhenAll(pool.Carriers.Where(c => c.Products.Contains(CarrierProducts.Voice)).Select(t => t.Connection.WaitUntilReadyAsync(deadline.Token)));
        return new Setup(server, await MessagingHarness.CreateAsync(server));
    }

    /// <summary>The application: each path answers its XML; others (the hangup URL) a bare 200.</summary>
    void Answer(Dictionary<string, string> xml) =>
        app.Answer = context => Task.FromResult(xml.TryGetValue(context.Request.Path, out var body)
            ? Results.Text(body.Replace("{base}", app.BaseUrl), "application/xml")
            : Results.Ok());

    async Task<(HttpStatusCode Status, JsonElement Body)> PlaceAsync(Setup setup, object? extra = null)
    {
        var body = new Dictionary<string, object?>
        {
            ["from"] = MessagingHarness.Sender,
            ["to"] = Destination,
            ["answer_url"] = $"{app.BaseUrl}/answer",
            ["hangup_url"] = $"{app.BaseUrl}/hangup",
        };
        if (extra is not null)
            foreach (var property in extra.GetType().GetProperties())
                body[property.Name] = property.GetValue(extra);
        return await setup.Account.Client.PostJsonAsync(setup.CallPath, body);
    }

    readonly List<CallbackReceiver.Received> early = [];

    /// <summary>The next request to <paramref name="path"/>; requests to other paths wait for their turn (callbacks and fetches race).</summary>
    async Task<CallbackReceiver.Received> NextAsync(string path)
    {
        bool Wanted(CallbackReceiver.Received r) => new Uri(r.Url).AbsolutePath == path;
        if (early.FirstOrDefault(Wanted) is { } waiting)
        {
            early.Remove(waiting);
            return waiting;
        }
        while (true)
        {
            var received = await app.NextAsync(Patience);
            if (Wanted(received))
                return received;
            early.Add(received);
        }
    }

    [Theory]
    [MemberData(nameof(TestStorage.Providers), MemberType = typeof(TestStorage))]
    public async Task A_call_speaks_collects_the_far_ends_digits_follows_the_action_and_ends_in_a_signed_hangup_callback_and_its_CDR(StorageProvider provider)
    {
        using var storage = await TestStorage.CreateAsync(provider);
        await using var setup = await StartAsync(storage);
        setup.Trunks(o => o with { SendDigits = "42#" });
        Answer(new()
        {
            ["/answer"] = """<Response><Speak>Hello from Contacto</Speak><GetDigits action="{base}/digits" numDigits="5" timeout="20"><Wait length="1"/></GetDigits><Speak>Nothing pressed</Speak></Response>""",
            ["/digits"] = """<Response><Message src="351912000001" dst="351913000002">Thanks for calling</Message><Hangup/></Response>""",
        });

        var (status, body) = await PlaceAsync(setup, new { ring_url = $"{app.BaseUrl}/ring" });
        Assert.Equal(HttpStatusCode.Created, status);
        Assert.Equal("call fired", body.Str("message"));
        var requestId = body.Str("request_uuid");
        var ring = await NextAsync("/ring");
        Assert.Equal("ringing", ring.Form["CallStatus"]);
        Assert.Equal(requestId, ring.Form["RequestUUID"]);

        var answer = await NextAsync("/answer");
        Assert.Equal(requestId, answer.Form["RequestUUID"]);
        Assert.Equal("in-progress", answer.Form["CallStatus"]);
        Assert.Equal("outbound", answer.Form["Direction"]);
        Assert.Equal(MessagingHarness.Sender.TrimStart('+'), answer.Form["From"]);
        Assert.Equal(Destination.TrimStart('+'), answer.Form["To"]);
        var nonce = answer.Headers[PlivoSignature.V3NonceHeader];
        Assert.Equal(PlivoSignature.V3("POST", new Uri(answer.Url), answer.Form, nonce, setup.Account.Token), answer.Headers[PlivoSignature.V3Header]);
        var callId = answer.Form["CallUUID"];

        var digits = await NextAsync("/digits");
        Assert.Equal("42", digits.Form["Digits"]);
        Assert.Equal(callId, digits.Form["CallUUID"]);

        var hangup = await NextAsync("/hangup");
        Assert.Equal(callId, hangup.Form["CallUUID"]);
        Assert.Equal("completed", hangup.Form["CallStatus"]);
        Assert.Equal("Normal Hangup", hangup.Form["HangupCauseName"]);
        Assert.Equal("4000", hangup.Form["HangupCauseCode"]);
        Assert.Equal("Answer XML", hangup.Form["HangupSource"]);
        Assert.True(int.Parse(hangup.Form["BillDuration"]) >= 1);

        var (found, cdr) = await setup.Account.Client.GetJsonAsync($"{setup.CallPath}{callId}/");
        Assert.Equal(HttpStatusCode.OK, found);
        Assert.Equal("completed", cdr.Str("call_state"));
        Assert.Equal(Destination.TrimStart('+'), cdr.Str("to_number"));
        Assert.Equal(4000, cdr.GetProperty("hangup_cause_code").GetInt32());
        Assert.Contains(cdr.Str("carrier"), SimulatedCarriers.TrunkNames);
        Assert.NotNull(cdr.Str("answer_time"));
        var (_, list) = await setup.Account.Client.GetJsonAsync($"{setup.CallPath}?call_direction=outbound&to_number={Uri.EscapeDataString(Destination)}");
        Assert.Equal(callId, Assert.Single(list.GetProperty("objects").EnumerateArray()).Str("call_uuid"));
        var (_, live) = await setup.Account.Client.GetJsonAsync($"{setup.CallPath}?status=live");
        Assert.Empty(live.GetProperty("calls").EnumerateArray());
        // The <Message> went the Message API's way.
        var (_, messages) = await setup.Account.Client.GetJsonAsync($"{setup.Account.MessagePath}?to_number=351913000002");
        Assert.Equal(1, messages.GetProperty("meta").GetProperty("total_count").GetInt32());
    }

    [Theory]
    [MemberData(nameof(TestStorage.Providers), MemberType = typeof(TestStorage))]
    public async Task A_recording_of_the_far_end_is_served_decrypted_to_its_owner_listed_and_deleted(StorageProvider provider)
    {
        using var storage = await TestStorage.CreateAsync(provider);
        await using var setup = await StartAsync(storage);
        setup.Trunks(o => o with { PlayFor = TimeSpan.FromSeconds(5) });
        Answer(new()
        {
            ["/answer"] = """<Response><Record action="{base}/recorded" maxLength="2" playBeep="false" callbackUrl="{base}/ready"/></Response>""",
            ["/recorded"] = """<Response><Hangup/></Response>""",
        });

        Assert.Equal(HttpStatusCode.Created, (await PlaceAsync(setup)).Status);
        var recorded = await NextAsync("/recorded");
        var callId = recorded.Form["CallUUID"];
        var recordingId = recorded.Form["RecordingID"];
        Assert.InRange(int.Parse(recorded.Form["RecordingDurationMs"]), 1900, 2100);
        var ready = await NextAsync("/ready");
        Assert.Equal(recordingId, ready.Form["recording_id"]);
        Assert.Equal(recorded.Form["RecordUrl"], ready.Form["record_url"]);
        await NextAsync("/hangup");

        var recordings = $"/v1/Account/{setup.Account.AuthId}/Recording/";
        var (found, recording) = await setup.Account.Client.GetJsonAsync($"{recordings}{recordingId}/");
        Assert.Equal(HttpStatusCode.OK, found);
        Assert.Equal(callId, recording.Str("call_uuid"));
        Assert.Equal(Destination.TrimStart('+'), recording.Str("to_number"));
        Assert.Equal(recorded.Form["RecordUrl"], recording.Str("recording_url"));
        var (_, list) = await setup.Account.Client.GetJsonAsync($"{recordings}?call_uuid={callId}");
        Assert.Equal(recordingId, Assert.Single(list.GetProperty("objects").EnumerateArray()).Str("recording_id"));

        // The audio: a WAV of the right length, the far end's tone in it, only for its owner.
        var path = new Uri(recorded.Form["RecordUrl"]).AbsolutePath;
        using (var audio = await setup.Account.Client.GetAsync(path))
        {
            Assert.Equal(HttpStatusCode.OK, audio.StatusCode);
            Assert.Equal("audio/wav", audio.Content.Headers.ContentType?.MediaType);
            var wav = await audio.Content.ReadAsByteArrayAsync();
            Assert.Equal("RIFF", System.Text.Encoding.ASCII.GetString(wav, 0, 4));
            var samples = (wav.Length - 44) / 2;
            Assert.InRange(samples, 8000 * 19 / 10, 8000 * 21 / 10);
            var loud = Enumerable.Range(0, samples).Count(i => Math.Abs((int)BitConverter.ToInt16(wav, 44 + 2 * i)) > 1000);
            Assert.True(loud > samples / 4, $"only {loud} of {samples} samples carry the far end's tone");
        }
        var (other, otherToken) = await setup.Server.CreateAccountAsync("Other");
        using (var stranger = setup.Server.ApiClient(other.AuthId, otherToken))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, (await stranger.GetAsync(path)).StatusCode);
            Assert.Equal(HttpStatusCode.NotFound, (await stranger.GetAsync($"/v1/Account/{other.AuthId}/Recording/{recordingId}.wav")).StatusCode);
        }

        var (deleted, _) = await setup.Account.Client.SendAsync(HttpMethod.Delete, $"{recordings}{recordingId}/", "{}");
        Assert.Equal(HttpStatusCode.NoContent, deleted);
        Assert.Equal(HttpStatusCode.NotFound, (await setup.Account.Client.GetAsync(path)).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await setup.Account.Client.GetJsonAsync($"{recordings}{recordingId}/")).Status);
    }

    [Fact]
    public async Task A_live_call_is_listed_read_and_hung_up_through_the_API()
    {
        using var storage = await TestStorage.CreateAsync(StorageProvider.Sqlite);
        await using var setup = await StartAsync(storage);
        Answer(new() { ["/answer"] = """<Response><Wait length="60"/></Response>""" });

        var (status, _) = await PlaceAsync(setup);
        Assert.Equal(HttpStatusCode.Created, status);
        var callId = (await NextAsync("/answer")).Form["CallUUID"];
        var (_, live) = await setup.Account.Client.GetJsonAsync($"{setup.CallPath}?status=live");
        Assert.Contains(callId, live.GetProperty("calls").EnumerateArray().Select(c => c.GetString()));
        // The SDK asks for a live call without the slash before the query.
        var (found, view) = await setup.Account.Client.GetJsonAsync($"{setup.CallPath}{callId}?status=live");
        Assert.Equal(HttpStatusCode.OK, found);
        Assert.Equal("in-progress", view.Str("call_status"));
        Assert.Equal(HttpStatusCode.NotFound, (await setup.Account.Client.GetJsonAsync($"{setup.CallPath}{callId}/")).Status); // no CDR yet

        var (hungUp, _) = await setup.Account.Client.SendAsync(HttpMethod.Delete, $"{setup.CallPath}{callId}/", "{}");
        Assert.Equal(HttpStatusCode.NoContent, hungUp);
        var hangup = await NextAsync("/hangup");
        Assert.Equal("API Request", hangup.Form["HangupSource"]);
        Assert.Equal("completed", hangup.Form["CallStatus"]);
        Assert.Equal(HttpStatusCode.NotFound, (await setup.Account.Client.SendAsync(HttpMethod.Delete, $"{setup.CallPath}{callId}/", "{}")).Status);
    }

    [Fact]
    public async Task A_live_call_takes_digits_speech_a_recording_and_a_transfer_from_the_API()
    {
        using var storage = await TestStorage.CreateAsync(StorageProvider.Sqlite);
        await using var setup = await StartAsync(storage);
        setup.Trunks(o => o with { PlayFor = TimeSpan.FromSeconds(30) });
        Answer(new()
        {
            ["/answer"] = """<Response><Wait length="60"/></Response>""",
            ["/transferred"] = """<Response><Hangup/></Response>""",
        });
        Assert.Equal(HttpStatusCode.Created, (await PlaceAsync(setup)).Status);
        var callId = (await NextAsync("/answer")).Form["CallUUID"];
        var control = $"{setup.CallPath}{callId}/";
        var far = setup.Server.Services.GetRequiredService<SimulatedCarriers>();
        var media = SimulatedCarriers.TrunkNames.SelectMany(n => far.Trunk(n).ActiveMedia).Single();

        var (sent, body) = await setup.Account.Client.PostJsonAsync($"{control}DTMF/", new { digits = "123" });
        Assert.Equal(HttpStatusCode.Accepted, sent);
        Assert.Equal("digits sent", body.Str("message"));
        await Until(() => media.DigitsReceived == "123", "the far end got the digits");

        var heard = media.BytesReceived;
        Assert.Equal(HttpStatusCode.Accepted, (await setup.Account.Client.PostJsonAsync($"{control}Speak/", new { text = "Your order has shipped" })).Status);
        // Speech is louder than the silence a waiting call sends: G.711 silence is 0xFF/0x7F (µ-law) or 0xD5/0x55 (A-law).
        await Until(() => media.Recorded.Skip((int)Math.Min(heard, media.Recorded.Length)).Count(b => b is not (0xFF or 0x7F or 0xFE or 0x7E or 0xD5 or 0x55)) > 800,
            "the far end heard the speech");
        Assert.Equal(HttpStatusCode.NoContent, (await setup.Account.Client.SendAsync(HttpMethod.Delete, $"{control}Speak/", "{}")).Status);

        var (started, recording) = await setup.Account.Client.PostJsonAsync($"{control}Record/", new { time_limit = 30 });
        Assert.Equal(HttpStatusCode.Accepted, started);
        Assert.Equal("call recording started", recording.Str("message"));
        var recordingPath = $"/v1/Account/{setup.Account.AuthId}/Recording/{recording.Str("recording_id")}/";
        Assert.Equal(HttpStatusCode.NoContent, (await setup.Account.Client.SendAsync(HttpMethod.Delete, $"{control}Record/", "{}")).Status);
        await Until(async () => (await setup.Account.Client.GetJsonAsync(recordingPath)).Status == HttpStatusCode.OK, "the stopped recording is listed");

        Assert.Equal(HttpStatusCode.BadRequest, (await setup.Account.Client.PostJsonAsync(control, new { legs = "bleg", bleg_url = $"{app.BaseUrl}/b" })).Status);
        var (transferred, moved) = await setup.Account.Client.PostJsonAsync(control, new { legs = "aleg", aleg_url = $"{app.BaseUrl}/transferred" });
        Assert.Equal(HttpStatusCode.Accepted, transferred);
        Assert.Equal("call transferred", moved.Str("message"));
        Assert.Equal("Transfer", (await NextAsync("/transferred")).Form["Event"]);
        var hangup = await NextAsync("/hangup");
        Assert.Equal("Answer XML", hangup.Form["HangupSource"]);
        Assert.Equal(HttpStatusCode.NotFound, (await setup.Account.Client.PostJsonAsync($"{control}DTMF/", new { digits = "1" })).Status);
    }

    /// <summary>Waits for what the far end or the API shows, checking every 50 ms, for at most the patience.</summary>
    static Task Until(Func<bool> condition, string what) => Until(() => Task.FromResult(condition()), what);

    static async Task Until(Func<Task<bool>> condition, string what)
    {
        using var deadline = new CancellationTokenSource(Patience);
        using var tick = new PeriodicTimer(TimeSpan.FromMilliseconds(50));
        while (!await condition())
            Assert.True(await tick.WaitForNextTickAsync(deadline.Token).AsTask().ContinueWith(t => t.IsCompletedSuccessfully), $"timed out: {what}");
    }

    [Fact]
    public async Task A_busy_callee_an_invalid_answer_and_an_unreachable_answer_url_each_end_with_their_cause()
    {
        using var storage = await TestStorage.CreateAsync(StorageProvider.Sqlite);
        await using var setup = await StartAsync(storage, "--Voice:Calls:AnswerAttempts", "1");

        setup.Trunks(o => o with { RejectStatus = 486 });
        Assert.Equal(HttpStatusCode.Created, (await PlaceAsync(setup)).Status);
        var busy = await NextAsync("/hangup");
        Assert.Equal("busy", busy.Form["CallStatus"]);
        Assert.Equal("Callee", busy.Form["HangupSource"]);
        Assert.Equal("0", busy.Form["BillDuration"]);

        setup.Trunks(o => o with { RejectStatus = null });
        Answer(new() { ["/answer"] = """<!DOCTYPE r [<!ENTITY a "aaaa">]><Response><Speak>&a;</Speak></Response>""" });
        Assert.Equal(HttpStatusCode.Created, (await PlaceAsync(setup)).Status);
        var invalid = await NextAsync("/hangup");
        Assert.Equal("5010", invalid.Form["HangupCauseCode"]);
        Assert.Equal("Error", invalid.Form["HangupSource"]);

        // The answer URL fails; the fallback URL answers.
        Answer(new() { ["/fallback"] = """<Response><Hangup/></Response>""" });
        app.Answer = context => Task.FromResult(context.Request.Path == "/answer" ? Results.StatusCode(500)
            : context.Request.Path == "/fallback" ? Results.Text("<Response><Hangup/></Response>", "application/xml") : Results.Ok());
        Assert.Equal(HttpStatusCode.Created, (await PlaceAsync(setup, new { fallback_url = $"{app.BaseUrl}/fallback" })).Status);
        await NextAsync("/fallback");
        var recovered = await NextAsync("/hangup");
        Assert.Equal("Answer XML", recovered.Form["HangupSource"]);
    }

    [Fact]
    public async Task Bad_requests_get_clear_errors_and_place_nothing()
    {
        using var storage = await TestStorage.CreateAsync(StorageProvider.Sqlite);
        await using var setup = await StartAsync(storage);
        object[] refused =
        [
            new { machine_detection = "true" },
            new { to = "sip:alice@example.com" },
            new { to = "12" },
            new { from = "+351912000999" },
            new { ring_timeout = 0 },
            new { time_limit = 99999 },
            new { answer_url = "http://169.254.169.254/latest/" },
            new { answer_method = "PUT" },
            new { caller_name = new string('x', 51) },
        ];
        foreach (var extra in refused)
        {
            var (status, body) = await PlaceAsync(setup, extra);
            Assert.True(status == HttpStatusCode.BadRequest, $"{JsonSerializer.Serialize(extra)} answered {status}");
            Assert.False(string.IsNullOrEmpty(body.Str("error")));
            Assert.DoesNotContain("351912000999", body.Str("error"));
        }
        var (_, queued) = await setup.Account.Client.GetJsonAsync($"{setup.CallPath}?status=queued");
        Assert.Empty(queued.GetProperty("calls").EnumerateArray());
        Assert.False(app.TryNext(out _));
    }
}
