using Contacto.Server;
using System.Net;
using System.Text;
using Contacto.Audit;
using Contacto.Carriers;
using Contacto.Numbers;
using Contacto.Smpp.Protocol;
using Contacto.Storage;
using Contacto.Testing;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace Contacto.Tests.Crypto;

/// <summary>
/// Writes customer data through every capability that exists, and calls every API route (with
/// customer values in its path where it takes any) and every filter that takes customer values,
/// then reads the database as an attacker with the files would: the raw SQLite files, or every
/// PostgreSQL table as text. No plaintext may appear: not in sealed columns' neighbours, not in
/// the API log, not in aliases, URLs or console e-mail addresses. A new capability adds its
/// writes to <see cref="WriteCustomerDataAsync"/>; a new route with a parameter must be taught to
/// <see cref="CallEveryRouteAsync"/> (the test fails until it is).
/// </summary>
public sealed class PlaintextAtRestTests
{
    [Theory]
    [MemberData(nameof(TestStorage.Providers), MemberType = typeof(TestStorage))]
    public async Task Customer_data_never_reaches_the_database_in_clear(StorageProvider provider)
    {
        using var storage = await TestStorage.CreateAsync(provider);
        List<string> secrets;
        string visibleAuthId;
        await using (var server = await RunningServer.StartAsync(storage))
        {
            (secrets, visibleAuthId) = await WriteCustomerDataAsync(server);
        }

        var raw = provider == StorageProvider.Sqlite ? ReadSqliteFiles(storage) : await ReadPostgresTablesAsync(storage);

        Assert.Contains(visibleAuthId, raw); // the scan does see the data: Auth IDs are stored in clear by design
        // Failures name the value by its place in the list, never the value itself.
        foreach (var (secret, i) in secrets.Select((s, i) => (s, i)))
        {
            Assert.False(raw.Contains(secret, StringComparison.Ordinal), $"customer value #{i} was found in clear at rest");
            Assert.False(raw.Contains(Convert.ToHexString(Encoding.UTF8.GetBytes(secret)), StringComparison.OrdinalIgnoreCase),
                $"customer value #{i} was found hex-encoded at rest");
        }
    }

    /// <summary>Returns the values that must not be readable at rest, and one Auth ID that may be.</summary>
    private static async Task<(List<string> Secrets, string VisibleAuthId)> WriteCustomerDataAsync(RunningServer server)
    {
        var tenant = await server.CreateAccountAsync("Quillfeather Trading 5521");
        var authId = tenant.Account.AuthId;
        using var client = server.ApiClient(authId, tenant.AuthToken);
        var (updated, _) = await client.PostJsonAsync($"/v1/Account/{authId}/",
            new { name = "Ostrakon Supplies 8843", city = "Vilnaberg 2291", address = "17 Marrowgate Lane 4410" });
        Assert.Equal(HttpStatusCode.Accepted, updated);
        var (created, subaccount) = await client.PostJsonAsync($"/v1/Account/{authId}/Subaccount/", new { name = "Zephyrine Desk 7730", enabled = "true" });
        Assert.Equal(HttpStatusCode.Created, created);

        var inbound = await WriteInboundMessagesAsync(server, tenant.Account.Id);
        var routed = await CallEveryRouteAsync(server, client, tenant.Account.Id, authId, subaccount.Str("auth_id"));
        var email = await WriteConsoleUserAsync(server, authId);

        return (["Quillfeather Trading 5521", "Ostrakon Supplies 8843", "Vilnaberg 2291", "17 Marrowgate Lane 4410",
            "Zephyrine Desk 7730", tenant.AuthToken, subaccount.Str("auth_token"), .. inbound, .. routed, email], authId);
    }

    const string Number = "+351912447711", Handset = "+351913886622";

    /// <summary>
    /// Sets an alias, application URLs and a message callback URL, then calls every API route
    /// (customer values in paths) and the filters that take customer values.
    /// </summary>
    private static async Task<string[]> CallEveryRouteAsync(RunningServer server, HttpClient client, Guid accountId, string authId, string subauthId)
    {
        var root = $"/v1/Account/{authId}/";
        string[] urls = ["https://hooks.example.com/answer/Pemberton-4471", "https://hooks.example.com/hangup/Calloway-5582",
            "https://hooks.example.com/fallback/Dunmore-6693", "https://hooks.example.com/inbound/Esterhazy-7704"];
        var (created, app) = await client.PostJsonAsync($"{root}Application/",
            new { app_name = "scan_app", answer_url = urls[0], hangup_url = urls[1], fallback_answer_url = urls[2], message_url = urls[3] });
        Assert.Equal(HttpStatusCode.Created, created);
        const string alias = "Larkspur front desk 8815", callback = "https://hooks.example.com/status/Fitzwilliam-9926";
        var (changed, _) = await client.PostJsonAsync($"{root}Number/{Number[1..]}/", new { alias, app_id = app.Str("app_id") });
        Assert.Equal(HttpStatusCode.Accepted, changed);
        var (sent, message) = await client.PostJsonAsync($"{root}Message/", new { src = Number[1..], dst = Handset[1..], text = "Vellichor memo 6604", url = callback });
        Assert.Equal(HttpStatusCode.Accepted, sent);

        const string callerName = "Thistlewood 3381", answerUrl = "https://hooks.example.com/call-answer/Abernethy-2270";
        var (placed, call) = await client.PostJsonAsync($"{root}Call/", new { from = Number[1..], to = Handset[1..], answer_url = answerUrl, caller_name = callerName });
        Assert.Equal(HttpStatusCode.Created, placed);
        var callId = await Contacto.Tests.Api.ApiSurface.CallIdAsync(server, Guid.Parse(call.Str("request_uuid")));
        var values = new Dictionary<string, string>
        {
            ["request_uuid"] = call.Str("request_uuid"),
            ["call_uuid"] = callId.ToString(),
            ["recording_id"] = (await Contacto.Tests.Api.ApiSurface.RecordingAsync(server, accountId, callId)).ToString(),
            ["auth_id"] = authId,
            ["subauth_id"] = subauthId,
            ["number"] = Number[1..],
            ["message_uuid"] = message.GetProperty("message_uuid")[0].GetString()!,
            ["app_id"] = app.Str("app_id"),
        };
        var routes = server.Services.GetRequiredService<Microsoft.AspNetCore.Routing.EndpointDataSource>().Endpoints
            .OfType<Microsoft.AspNetCore.Routing.RouteEndpoint>()
            .Where(e => e.RoutePattern.RawText?.StartsWith(Contacto.Api.AccountApi.Root, StringComparison.Ordinal) == true
                        && (e.Metadata.GetMetadata<Microsoft.AspNetCore.Routing.HttpMethodMetadata>()?.HttpMethods.Contains("GET") ?? true))
            .Select(e => e.RoutePattern).ToList();
        Assert.NotEmpty(routes);
        foreach (var route in routes)
        {
            var path = route.RawText!;
            foreach (var parameter in route.Parameters)
                path = path.Replace($"{{{parameter.Name}}}", values.TryGetValue(parameter.Name, out var value) ? value
                    : throw new Xunit.Sdk.XunitException($"{route.RawText}: teach the scan a value for '{parameter.Name}'"));
            var (status, _) = await client.GetJsonAsync(path);
            Assert.True((int)status < 500, $"GET {route.RawText} answered {status}");
        }
        // Every filter that takes a customer value.
        foreach (var query in new[]
                 {
                     $"Number/?alias={Uri.EscapeDataString(alias)}", $"Number/?number_startswith={Number[1..^1]}",
                     $"Message/?from_number={Number[1..]}", $"Message/?to_number={Handset[1..]}", "Application/?app_name=scan_app",
                 })
        {
            var (status, found) = await client.GetJsonAsync(root + query);
            Assert.Equal(HttpStatusCode.OK, status);
            Assert.True(found.GetProperty("meta").GetProperty("total_count").GetInt32() > 0, $"{query} found nothing");
        }
        // What was read back is what was written: the values are there, only sealed.
        var (_, number) = await client.GetJsonAsync($"{root}Number/{Number[1..]}/");
        Assert.Equal(alias, number.Str("alias"));
        var (_, application) = await client.GetJsonAsync($"{root}Application/{app.Str("app_id")}/");
        Assert.Equal(urls[3], application.Str("message_url"));
        // The API log is written off the request path: wait for the number's request to be in it, path opened for its account.
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        while (true)
        {
            var (_, log) = await client.GetJsonAsync($"{root}ApiLog/?limit=20&method=GET");
            if (log.GetProperty("objects").EnumerateArray().Any(r => r.Str("path") == $"{root}Number/{Number[1..]}/" && r.Str("route") == $"{Contacto.Api.AccountApi.Root}/Number/{{number}}/"))
                break;
            await Task.Delay(50, deadline.Token);
        }
        return [.. urls, alias, callback, "Vellichor memo 6604", Number[1..^1], callerName, answerUrl];
    }

    /// <summary>A console user, invited and joined: their e-mail address is customer data too.</summary>
    private static async Task<string> WriteConsoleUserAsync(RunningServer server, string authId)
    {
        const string email = "zanzibar.quill.7731@example.com";
        var users = server.Services.GetRequiredService<Contacto.Console.ConsoleUsers>();
        var invitation = await users.InviteAsync(authId, email, Contacto.Console.ConsoleRole.Admin, AuditActor.Operator, CancellationToken.None);
        var joined = await users.JoinAsync(invitation.Link[(invitation.Link.LastIndexOf('#') + 1)..], "correct horse battery 1", AuditActor.System, CancellationToken.None);
        Assert.NotNull(joined);
        Assert.True((await users.CheckPasswordAsync(email, "correct horse battery 1", CancellationToken.None)).Valid);
        return email;
    }

    /// <summary>An inbound message, and the first part of a long one still waiting for the rest.</summary>
    private static async Task<string[]> WriteInboundMessagesAsync(RunningServer server, Guid accountId)
    {
        const string number = Number, handset = Handset;
        await server.Services.GetRequiredService<NumberService>().AddAsync(accountId, number, "PT", "mobile", AuditActor.Operator, CancellationToken.None);
        var carrier = server.Services.GetRequiredService<SimulatedCarriers>()["sim-a"];
        using (var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(30)))
        using (var tick = new PeriodicTimer(TimeSpan.FromMilliseconds(25)))
            while (carrier.BoundSessions == 0)
                await tick.WaitForNextTickAsync(deadline.Token);
        var (from, to) = (SmeAddress.International(handset), SmeAddress.International(number));
        Assert.Equal(CommandStatus.Ok, await carrier.InjectMobileOriginatedAsync(from, to, "Brambleworth invoice 3391"));
        Assert.Equal(CommandStatus.Ok, await carrier.InjectMobileOriginatedAsync(from, to, "Harrowgate parcel 5120 " + new string('q', 200), partsToSend: 1));
        return ["Brambleworth invoice 3391", "Harrowgate parcel 5120", number[1..], handset[1..]];
    }

    /// <summary>The database file and its write-ahead log, as bytes read as Latin-1 so every byte survives.</summary>
    private static string ReadSqliteFiles(TestStorage storage)
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        var text = new StringBuilder();
        foreach (var path in Directory.EnumerateFiles(storage.DataDir, "contacto.db*"))
        {
            using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
            using var bytes = new MemoryStream();
            file.CopyTo(bytes);
            text.Append(Encoding.Latin1.GetString(bytes.ToArray()));
        }
        return text.ToString();
    }

    /// <summary>Every row of every table in the public schema as JSON; bytea columns come out as hex.</summary>
    private static async Task<string> ReadPostgresTablesAsync(TestStorage storage)
    {
        await using var connection = new NpgsqlConnection(storage.ConnectionString);
        await connection.OpenAsync();
        var tables = new List<string>();
        await using (var list = new NpgsqlCommand("SELECT table_name FROM information_schema.tables WHERE table_schema = 'public'", connection))
        await using (var reader = await list.ExecuteReaderAsync())
        {
            while (await reader.ReadAsync())
            {
                tables.Add(reader.GetString(0));
            }
        }
        var text = new StringBuilder();
        foreach (var table in tables)
        {
            await using var rows = new NpgsqlCommand($"SELECT row_to_json(t)::text FROM \"{table}\" t", connection);
            await using var reader = await rows.ExecuteReaderAsync();
            while (await reader.ReadAsync())
            {
                text.AppendLine(reader.GetString(0));
            }
        }
        return text.ToString();
    }
}
