using Contacto.Server;
using System.Net;
using System.Text.Json;
using Contacto.Carriers;
using Contacto.Crypto;
using Contacto.CarrierSim;
using Contacto.Messaging;
using Contacto.Smpp.Protocol;
using Contacto.Smpp.Text;
using Contacto.Storage;
using Contacto.Testing;
using Contacto.Webhooks;
using Microsoft.AspNetCore.Http;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Contacto.Tests.Messaging;

/// <summary>
/// Inbound SMS end to end: a simulated carrier sends a mobile-originated message to a rented
/// number, and the number's application receives Plivo's signed callback, on both providers.
/// </summary>
public sealed class InboundMessageTests : IAsyncLifetime
{
    static readonly string[] AllowLoopback = ["--Webhooks:AllowedNetworks:0", "127.0.0.0/8"];
    static readonly TimeSpan Within = TimeSpan.FromSeconds(30);
    const string Handset = "+351913000009";

    static readonly string[] InboundFields =
        ["From", "To", "Type", "Text", "MessageUUID", "Units", "TotalRate", "TotalAmount", "MessageIntent", "PowerpackUUID"];

    CallbackReceiver receiver = null!;

    public async Task InitializeAsync() => receiver = await CallbackReceiver.StartAsync();

    public async Task DisposeAsync() => await receiver.DisposeAsync();

    /// <summary>A server, an account renting <see cref="MessagingHarness.Sender"/>, and an application for it pointing at the receiver.</summary>
    sealed record Setup(RunningServer Server, MessagingHarness Account, string AppId) : IAsyncDisposable
    {
        public SmscSimulator Carrier => Server.Services.GetRequiredService<SimulatedCarriers>()["sim-a"];

        public async Task<CommandStatus> SendFromHandsetAsync(string text, string to = MessagingHarness.Sender, TextProfile? profile = null, int parts = int.MaxValue)
        {
            await WaitUntilAsync(() => Task.FromResult(Carrier.BoundSessions > 0));
            return await Carrier.InjectMobileOriginatedAsync(SmeAddress.International(Handset), SmeAddress.International(to), text, profile: profile, partsToSend: parts);
        }

        public async Task<int> WaitingPartsAsync()
        {
            await using var db = Server.Services.GetRequiredService<IDbContextFactory<ContactoDbContext>>().CreateDbContext();
            return await db.Set<InboundPart>().CountAsync();
        }

        public async Task<List<Message>> InboundAsync()
        {
            await using var db = Server.Services.GetRequiredService<IDbContextFactory<ContactoDbContext>>().CreateDbContext();
            return await db.Set<Message>().Where(m => m.Direction == MessageDirections.Inbound).ToListAsync();
        }

        public async Task<string> WaitForStateAsync(Guid id, string state)
        {
            var seen = await Account.WaitForStatesAsync([id.ToString()], [state], Within);
            return seen.GetValueOrDefault(id, "missing");
        }

        public ValueTask DisposeAsync() => Server.DisposeAsync();
    }

    async Task<Setup> StartAsync(TestStorage storage, string method = "POST", params string[] arguments)
    {
        var server = await RunningServer.StartAsync(storage, [.. AllowLoopback, .. arguments]);
        var account = await MessagingHarness.CreateAsync(server);
        var (status, created) = await account.Client.PostJsonAsync($"/v1/Account/{account.AuthId}/Application/",
            new { app_name = "sms-bot", message_url = $"{receiver.BaseUrl}/inbound?source=carrier", message_method = method });
        Assert.Equal(HttpStatusCode.Created, status);
        var appId = created.Str("app_id");
        (status, _) = await account.Client.PostJsonAsync(NumberPath(account), new { app_id = appId });
        Assert.Equal(HttpStatusCode.Accepted, status);
        return new Setup(server, account, appId);
    }

    static string NumberPath(MessagingHarness account) => $"/v1/Account/{account.AuthId}/Number/{MessagingHarness.Sender.TrimStart('+')}/";

    [Theory]
    [MemberData(nameof(TestStorage.Providers), MemberType = typeof(TestStorage))]
    public async Task A_message_to_a_linked_number_is_posted_signed_to_its_application_and_listed_as_inbound(StorageProvider provider)
    {
        using var storage = await TestStorage.CreateAsync(provider);
        await using var setup = await StartAsync(storage);

        Assert.Equal(CommandStatus.Ok, await setup.SendFromHandsetAsync("Hello Contacto"));

        var callback = await receiver.NextAsync(Within);
        Assert.Equal("POST", callback.Method);
        Assert.Equal(InboundFields.Order(StringComparer.Ordinal), callback.Form.Keys.Order(StringComparer.Ordinal));
        Assert.Equal("351913000009", callback.Form["From"]);
        Assert.Equal("351912000001", callback.Form["To"]);
        Assert.Equal("sms", callback.Form["Type"]);
        Assert.Equal("Hello Contacto", callback.Form["Text"]);
        Assert.Equal("1", callback.Form["Units"]);
        Assert.Equal("", callback.Form["MessageIntent"]);
        var url = new Uri($"{receiver.BaseUrl}/inbound?source=carrier");
        var fields = callback.Form.ToList();
        var nonce = callback.Headers[PlivoSignature.V3NonceHeader];
        Assert.Matches("^[0-9]{20}$", nonce);
        Assert.Equal(PlivoSignature.V3("POST", url, fields, nonce, setup.Account.Token), callback.Headers[PlivoSignature.V3Header]);
        Assert.Equal(PlivoSignature.V3("POST", url, fields, nonce, setup.Account.Token), callback.Headers[PlivoSignature.V3MainAccountHeader]);
        Assert.Equal(PlivoSignature.V2(url, callback.Headers[PlivoSignature.V2NonceHeader], setup.Account.Token), callback.Headers[PlivoSignature.V2Header]);

        var id = Guid.Parse(callback.Form["MessageUUID"]);
        Assert.Equal("delivered", await setup.WaitForStateAsync(id, "delivered"));
        var (status, page) = await setup.Account.Client.GetJsonAsync($"{setup.Account.MessagePath}?message_direction=inbound");
        Assert.Equal(HttpStatusCode.OK, status);
        var mdr = Assert.Single(page.GetProperty("objects").EnumerateArray());
        Assert.Equal(id.ToString(), mdr.Str("message_uuid"));
        Assert.Equal("inbound", mdr.Str("message_direction"));
        Assert.Equal("delivered", mdr.Str("message_state"));
        Assert.Equal("351913000009", mdr.Str("from_number"));
        Assert.Equal("351912000001", mdr.Str("to_number"));
        Assert.Equal(1, mdr.GetProperty("units").GetInt32());
        (_, page) = await setup.Account.Client.GetJsonAsync($"{setup.Account.MessagePath}?message_direction=outbound");
        Assert.Empty(page.GetProperty("objects").EnumerateArray());
    }

    [Theory]
    [MemberData(nameof(TestStorage.Providers), MemberType = typeof(TestStorage))]
    public async Task A_three_part_UCS2_message_is_joined_before_it_is_posted(StorageProvider provider)
    {
        using var storage = await TestStorage.CreateAsync(provider);
        await using var setup = await StartAsync(storage);
        var text = string.Concat(Enumerable.Repeat("Привет, мир! ", 12)); // 156 characters: three UCS-2 parts
        Assert.Equal(3, SmsPlanner.CountSegments(text, TextProfile.Default));

        Assert.Equal(CommandStatus.Ok, await setup.SendFromHandsetAsync(text));

        var callback = await receiver.NextAsync(Within);
        Assert.Equal(text, callback.Form["Text"]);
        Assert.Equal("3", callback.Form["Units"]);
        var inbound = Assert.Single(await setup.InboundAsync());
        Assert.Equal(3, inbound.Units);
        Assert.Equal(0, await setup.WaitingPartsAsync());
        Assert.False(receiver.TryNext(out _), "one callback for the three parts");
    }

    [Theory]
    [MemberData(nameof(TestStorage.Providers), MemberType = typeof(TestStorage))]
    public async Task Parts_acknowledged_before_a_restart_are_kept_and_an_incomplete_set_is_delivered_when_the_wait_ends(StorageProvider provider)
    {
        using var storage = await TestStorage.CreateAsync(provider);
        var text = string.Concat(Enumerable.Repeat("Привет, мир! ", 12));
        var plan = SmsPlanner.Plan(text, TextProfile.Default);
        await using (var setup = await StartAsync(storage))
        {
            Assert.Equal(CommandStatus.Ok, await setup.SendFromHandsetAsync(text, parts: 2));
            Assert.Equal(2, await setup.WaitingPartsAsync());
            Assert.Empty(await setup.InboundAsync());
        }

        await using var restarted = await RunningServer.StartAsync(storage, [.. AllowLoopback, "--Messaging:InboundPartsWaitSeconds", "1"]);
        var callback = await receiver.NextAsync(Within);
        Assert.Equal(plan.Parts[0] + plan.Parts[1], callback.Form["Text"]);
        Assert.Equal("2", callback.Form["Units"]);
        await using var db = restarted.Services.GetRequiredService<IDbContextFactory<ContactoDbContext>>().CreateDbContext();
        Assert.Equal(0, await db.Set<InboundPart>().CountAsync());
        Assert.Equal(2, (await db.Set<Message>().SingleAsync(m => m.Direction == MessageDirections.Inbound)).Units);
    }

    public static TheoryData<string, string, string> Codings => new()
    {
        { "Udh16", "GSM 7-bit in two parts [with] {extras} €uro " + new string('x', 140), "Gsm7" },
        { "Sar", "Latin-1: Olá, café e pão ç " + new string('y', 160), "Latin1" },
        { "Sar", "UCS-2 über SAR: 日本語のテキスト " + new string('z', 60), "Ucs2" },
    };

    [Theory]
    [MemberData(nameof(Codings))]
    public async Task Long_messages_in_every_coding_and_concatenation_are_decoded_and_joined(string concatenation, string text, string alphabet)
    {
        using var storage = await TestStorage.CreateAsync(StorageProvider.Sqlite);
        await using var setup = await StartAsync(storage);
        var profile = new TextProfile
        {
            AllowLatin1 = alphabet == "Latin1",
            Concatenation = concatenation == "Sar" ? ConcatenationMode.SarTlvs : ConcatenationMode.Udh16BitReference,
        };
        Assert.Equal(Enum.Parse<SmsAlphabet>(alphabet), SmsPlanner.Plan(text, profile).Alphabet);
        Assert.True(SmsPlanner.CountSegments(text, profile) > 1);

        Assert.Equal(CommandStatus.Ok, await setup.SendFromHandsetAsync(text, profile: profile));

        Assert.Equal(text, (await receiver.NextAsync(Within)).Form["Text"]);
    }

    [Theory]
    [MemberData(nameof(TestStorage.Providers), MemberType = typeof(TestStorage))]
    public async Task A_message_to_a_number_nobody_rents_is_acknowledged_counted_and_not_stored(StorageProvider provider)
    {
        using var storage = await TestStorage.CreateAsync(provider);
        await using var setup = await StartAsync(storage);

        Assert.Equal(CommandStatus.Ok, await setup.SendFromHandsetAsync("Who is there?", to: "+351912999999"));

        Assert.Empty(await setup.InboundAsync());
        using var metrics = await setup.Server.Ops.GetAsync("/metrics");
        Assert.Matches(@"contacto_message_inbound_total\{[^}]*outcome=""unknown_number""[^}]*\} 1", await metrics.Content.ReadAsStringAsync());
        Assert.False(receiver.TryNext(out _));
    }

    [Theory]
    [MemberData(nameof(TestStorage.Providers), MemberType = typeof(TestStorage))]
    public async Task A_number_whose_account_lost_its_keys_is_refused_cleanly_and_other_accounts_still_get_their_messages(StorageProvider provider)
    {
        using var storage = await TestStorage.CreateAsync(provider);
        await using var setup = await StartAsync(storage);
        // Another account, whose keys are destroyed while it still rents a number.
        var (gone, _) = await setup.Server.CreateAccountAsync("Gone");
        await MessagingHarness.AddNumberAsync(setup.Server, gone.Id, "+351912000077");
        var keys = setup.Server.Services.GetRequiredService<ITenantKeyAdministration>();
        await keys.ScheduleShreddingAsync(gone.Id, TimeSpan.Zero);
        Assert.Equal(1, await keys.ShredDueAsync());

        Assert.Equal(CommandStatus.Ok, await setup.SendFromHandsetAsync("Still there?"));
        Assert.Equal("Still there?", (await receiver.NextAsync(Within)).Form["Text"]);
        Assert.Equal(CommandStatus.Ok, await setup.SendFromHandsetAsync("Anyone?", to: "+351912000077"));

        Assert.Single(await setup.InboundAsync());
        using var metrics = await setup.Server.Ops.GetAsync("/metrics");
        Assert.Matches(@"contacto_message_inbound_total\{[^}]*outcome=""owner_gone""[^}]*\} 1", await metrics.Content.ReadAsStringAsync());
        Assert.False(receiver.TryNext(out _));
    }

    [Fact]
    public async Task An_application_that_fails_first_gets_the_message_again_and_it_becomes_delivered()
    {
        using var storage = await TestStorage.CreateAsync(StorageProvider.Sqlite);
        await using var setup = await StartAsync(storage);
        var answers = 0;
        receiver.Answer = _ => Task.FromResult(Interlocked.Increment(ref answers) == 1 ? Results.StatusCode(500) : Results.Ok());

        await setup.SendFromHandsetAsync("Are you there?");

        var first = await receiver.NextAsync(Within);
        var id = Guid.Parse(first.Form["MessageUUID"]);
        Assert.Equal("received", (await setup.InboundAsync()).Single().State);
        var second = await receiver.NextAsync(Within);
        Assert.Equal(first.Form, second.Form);
        Assert.Equal("delivered", await setup.WaitForStateAsync(id, "delivered"));
    }

    [Fact]
    public async Task An_application_that_refuses_the_message_leaves_it_undelivered()
    {
        using var storage = await TestStorage.CreateAsync(StorageProvider.Sqlite);
        await using var setup = await StartAsync(storage, method: "GET");
        receiver.Answer = _ => Task.FromResult(Results.StatusCode(404));

        await setup.SendFromHandsetAsync("STOP");

        var callback = await receiver.NextAsync(Within);
        Assert.Equal("GET", callback.Method);
        Assert.Contains("MessageIntent=optout", callback.Url);
        var id = (await setup.InboundAsync()).Single().Id;
        Assert.Equal("undelivered", await setup.WaitForStateAsync(id, "undelivered"));
    }

    [Theory]
    [MemberData(nameof(TestStorage.Providers), MemberType = typeof(TestStorage))]
    public async Task An_XML_reply_is_sent_as_outbound_messages_through_the_carrier(StorageProvider provider)
    {
        using var storage = await TestStorage.CreateAsync(provider);
        await using var setup = await StartAsync(storage);
        var submits = new List<ReceivedSubmit>();
        var reached = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        foreach (var simulator in setup.Server.Services.GetRequiredService<SimulatedCarriers>().Running)
            simulator.SubmitReceived += submit =>
            {
                lock (submits)
                {
                    submits.Add(submit);
                    if (submits.Count == 2)
                        reached.TrySetResult();
                }
            };
        receiver.Answer = context => Task.FromResult(context.Request.Path == "/inbound"
            ? Results.Text(
                $"""<Response><Message src="351912000001" dst="351913000009&lt;351913000010" type="sms" callbackUrl="{receiver.BaseUrl}/status" callbackMethod="POST">Thanks &amp; see you</Message></Response>""",
                "application/xml")
            : Results.Ok());

        await setup.SendFromHandsetAsync("Hello?");

        await reached.Task.WaitAsync(Within);
        Assert.Equal("/inbound", new Uri((await receiver.NextAsync(Within)).Url).AbsolutePath);
        var status = await receiver.NextAsync(Within);
        Assert.Equal("/status", new Uri(status.Url).AbsolutePath);
        Assert.Equal("queued", status.Form["Status"]);
        Assert.Equal(["351913000009", "351913000010"], submits.Select(s => s.Pdu.Destination.Address).Order());
        Assert.All(submits, s => Assert.Equal("351912000001", s.Pdu.Source.Address));
        var (_, page) = await setup.Account.Client.GetJsonAsync($"{setup.Account.MessagePath}?message_direction=outbound");
        Assert.Equal(2, page.GetProperty("objects").GetArrayLength());
        Assert.Equal("delivered", (await setup.InboundAsync()).Single().State);
        await using var db = setup.Server.Services.GetRequiredService<IDbContextFactory<ContactoDbContext>>().CreateDbContext();
        var audited = await db.Set<Contacto.Audit.AuditRecord>().Where(r => r.AccountId == setup.Account.AccountId && r.Action == "message.queued").CountAsync();
        Assert.Equal(2, audited);
        Assert.True((await setup.Server.Services.GetRequiredService<Contacto.Audit.AuditVerifier>().VerifyAsync(setup.Account.AccountId, CancellationToken.None)).Intact);
    }

    public static TheoryData<string> RefusedReplies => new()
    {
        // External entity (XXE): the file must never be read or sent.
        """<?xml version="1.0"?><!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]><Response><Message src="351912000001" dst="351913000009">&x;</Message></Response>""",
        // Entity expansion ("billion laughs").
        """<!DOCTYPE r [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]><Response><Message src="351912000001" dst="351913000009">&b;</Message></Response>""",
        // Not well-formed, or not a message reply.
        """<Response><Message src="351912000001" dst="351913000009">Hi</Response>""",
        """<Response><Speak>Hi</Speak></Response>""",
        // A sender the account does not rent.
        """<Response><Message src="351912555555" dst="351913000009">Hi</Message></Response>""",
    };

    [Theory]
    [MemberData(nameof(RefusedReplies))]
    public async Task A_malicious_or_invalid_XML_reply_sends_nothing_and_the_message_is_still_delivered(string reply)
    {
        using var storage = await TestStorage.CreateAsync(StorageProvider.Sqlite);
        await using var setup = await StartAsync(storage);
        receiver.Answer = _ => Task.FromResult(Results.Text(reply, "application/xml"));

        await setup.SendFromHandsetAsync("Hello?");

        var id = Guid.Parse((await receiver.NextAsync(Within)).Form["MessageUUID"]);
        Assert.Equal("delivered", await setup.WaitForStateAsync(id, "delivered"));
        await using var db = setup.Server.Services.GetRequiredService<IDbContextFactory<ContactoDbContext>>().CreateDbContext();
        Assert.Equal(0, await db.Set<Message>().CountAsync(m => m.Direction == MessageDirections.Outbound));
        using var metrics = await setup.Server.Ops.GetAsync("/metrics");
        Assert.Matches(@"contacto_message_inbound_replies_total\{[^}]*outcome=""(invalid|refused)""[^}]*\} 1", await metrics.Content.ReadAsStringAsync());
    }

    [Theory]
    [MemberData(nameof(TestStorage.Providers), MemberType = typeof(TestStorage))]
    public async Task A_number_links_only_to_its_accounts_own_applications_and_can_be_unlinked(StorageProvider provider)
    {
        using var storage = await TestStorage.CreateAsync(provider);
        await using var setup = await StartAsync(storage);
        var client = setup.Account.Client;
        var path = NumberPath(setup.Account);

        var (_, number) = await client.GetJsonAsync(path);
        Assert.Equal($"/v1/Account/{setup.Account.AuthId}/Application/{setup.AppId}/", number.Str("application"));

        var (otherAccount, otherToken) = await setup.Server.CreateAccountAsync("Other");
        using var other = setup.Server.ApiClient(otherAccount.AuthId, otherToken);
        var (_, foreign) = await other.PostJsonAsync($"/v1/Account/{otherAccount.AuthId}/Application/", new { app_name = "theirs" });
        foreach (var appId in new[] { foreign.Str("app_id"), "12345678901234567", "not-an-id" })
        {
            var (status, error) = await client.PostJsonAsync(path, new { app_id = appId });
            Assert.Equal(HttpStatusCode.BadRequest, status);
            Assert.Equal("app_id is not an application of this account", error.ErrorMessage());
        }
        (_, number) = await client.GetJsonAsync(path);
        Assert.Equal($"/v1/Account/{setup.Account.AuthId}/Application/{setup.AppId}/", number.Str("application"));

        Assert.Equal(HttpStatusCode.Accepted, (await client.PostJsonAsync(path, new { app_id = "" })).Status);
        (_, number) = await client.GetJsonAsync(path);
        Assert.Equal(JsonValueKind.Null, number.GetProperty("application").ValueKind);

        // Unlinked, the number still receives: the message is stored, nothing is posted.
        await setup.SendFromHandsetAsync("Anyone?");
        Assert.Equal("received", (await setup.InboundAsync()).Single().State);
        Assert.False(receiver.TryNext(out _));

        // Deleting the linked application unlinks the number.
        await client.PostJsonAsync(path, new { app_id = setup.AppId });
        await client.SendAsync(HttpMethod.Delete, $"/v1/Account/{setup.Account.AuthId}/Application/{setup.AppId}/");
        (_, number) = await client.GetJsonAsync(path);
        Assert.Equal(JsonValueKind.Null, number.GetProperty("application").ValueKind);
    }

    static async Task WaitUntilAsync(Func<Task<bool>> condition)
    {
        using var deadline = new CancellationTokenSource(Within);
        using var tick = new PeriodicTimer(TimeSpan.FromMilliseconds(25));
        while (!await condition())
            await tick.WaitForNextTickAsync(deadline.Token);
    }
}
