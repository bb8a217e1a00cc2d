using Contacto.Server;
using System.Net;
using System.Text;
using Contacto.Audit;
using Contacto.Carriers;
using Contacto.Numbers;
using Contacto.Smpp.Protocol;
using Contacto.Storage;
using Contacto.Tests.Accounts;
using Contacto.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace Contacto.Tests.Crypto;

/// <summary>
/// Writes customer data through every capability that exists, then reads the database as an
/// attacker with the files would: the raw SQLite files, or every PostgreSQL table as text. No
/// plaintext may appear. A new capability adds its writes to <see cref="WriteCustomerDataAsync"/>.
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
        foreach (var secret in secrets)
        {
            Assert.False(raw.Contains(secret, StringComparison.Ordinal), "a customer value was found in clear at rest");
            Assert.False(raw.Contains(Convert.ToHexString(Encoding.UTF8.GetBytes(secret)), StringComparison.OrdinalIgnoreCase),
                "a customer value was found hex-encoded at rest");
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

        return (["Quillfeather Trading 5521", "Ostrakon Supplies 8843", "Vilnaberg 2291", "17 Marrowgate Lane 4410",
            "Zephyrine Desk 7730", tenant.AuthToken, subaccount.Str("auth_token"), .. inbound], authId);
    }

    /// <summary>An inbound message, and the first part of a long one still waiting for the rest.</summary>
    private static async Task<string[]> WriteInboundMessagesAsync(RunningServer server, Guid accountId)
    {
        const string number = "+351912447711", handset = "+351913886622";
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
