using System.Net;
using System.Text.Json;
using Contacto.Audit;
using Contacto.Numbers;
using Contacto.Storage;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Contacto.Testing;

/// <summary>An account with a sending number on a running server, and waits on message states.</summary>
public sealed class MessagingHarness(RunningServer server, Guid accountId, string authId, string token, HttpClient client)
{
    /// <summary>Portuguese mobile numbers, valid in the numbering plan.</summary>
    public const string Sender = "+351912000001";
    public static string Destination(int i) => $"+3519130{i:D5}";

    public Guid AccountId => accountId;
    public string AuthId => authId;
    public string Token => token;
    public HttpClient Client => client;
    public string MessagePath => $"/v1/Account/{authId}/Message/";

    public static async Task<MessagingHarness> CreateAsync(RunningServer server, string name = "Sender")
    {
        var (account, token) = await server.CreateAccountAsync(name);
        await AddNumberAsync(server, account.Id, Sender);
        return new MessagingHarness(server, account.Id, account.AuthId, token, server.ApiClient(account.AuthId, token));
    }

    public static Task<RentedNumber> AddNumberAsync(RunningServer server, Guid accountId, string e164, string type = "mobile") =>
        server.Services.GetRequiredService<NumberService>().AddAsync(accountId, e164, "PT", type, AuditActor.Operator, CancellationToken.None);

    /// <summary>Sends and returns the message ids; asserts the 202.</summary>
    public async Task<List<string>> SendAsync(params string[] destinations)
    {
        var (status, body) = await client.PostJsonAsync(MessagePath, new { src = Sender, dst = string.Join('<', destinations), text = "Hello from Contacto" });
        Assert.True(status == HttpStatusCode.Accepted, $"send answered {status}: {body}");
        return [.. body.GetProperty("message_uuid").EnumerateArray().Select(e => e.GetString()!)];
    }

    public async Task<JsonElement> GetAsync(string id)
    {
        var (status, body) = await client.GetJsonAsync($"{MessagePath}{id}/");
        Assert.Equal(HttpStatusCode.OK, status);
        return body;
    }

    /// <summary>Waits, at most <paramref name="within"/>, until every message is in one of <paramref name="states"/>; returns the states seen last.</summary>
    public async Task<Dictionary<Guid, string>> WaitForStatesAsync(IReadOnlyCollection<string> ids, string[] states, TimeSpan within)
    {
        var wanted = ids.Select(Guid.Parse).ToList();
        using var deadline = new CancellationTokenSource(within);
        using var tick = new PeriodicTimer(TimeSpan.FromMilliseconds(25));
        var contexts = server.Services.GetRequiredService<IDbContextFactory<ContactoDbContext>>();
        while (true)
        {
            await using var db = contexts.CreateDbContext();
            var seen = await db.Set<Contacto.Messaging.Message>().Where(m => wanted.Contains(m.Id)).ToDictionaryAsync(m => m.Id, m => m.State);
            if (seen.Count == wanted.Count && seen.Values.All(states.Contains) || deadline.IsCancellationRequested)
                return seen;
            try
            {
                await tick.WaitForNextTickAsync(deadline.Token);
            }
            catch (OperationCanceledException)
            {
                // The deadline passed: one last look above, then the caller's assertion says what was missing.
            }
        }
    }

    public static void AssertAll(Dictionary<Guid, string> seen, int count, params string[] states)
    {
        Assert.Equal(count, seen.Count);
        var stragglers = seen.Where(s => !states.Contains(s.Value)).Select(s => s.Value).GroupBy(s => s).Select(g => $"{g.Count()} {g.Key}");
        Assert.True(seen.Values.All(states.Contains), $"not all {string.Join("/", states)}: {string.Join(", ", stragglers)}");
    }
}
