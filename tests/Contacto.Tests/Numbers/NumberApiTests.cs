using System.Net;
using System.Text.Json;
using Contacto.Accounts;
using Contacto.Storage;
using Contacto.Numbers;
using Contacto.Audit;
using Contacto.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Contacto.Tests.Numbers;

/// <summary>Plivo's Number API over the operator's inventory, on both providers.</summary>
public sealed class NumberApiTests
{
    [Theory]
    [MemberData(nameof(TestStorage.Providers), MemberType = typeof(TestStorage))]
    public async Task Numbers_are_listed_filtered_updated_and_unrented(StorageProvider provider)
    {
        using var storage = await TestStorage.CreateAsync(provider);
        await using var server = await RunningServer.StartAsync(storage);
        var sender = await MessagingHarness.CreateAsync(server);
        await MessagingHarness.AddNumberAsync(server, sender.AccountId, "+351212000002", "local");
        var numbers = $"/v1/Account/{sender.AuthId}/Number/";

        var (_, all) = await sender.Client.GetJsonAsync(numbers);
        Assert.Equal(2, all.GetProperty("meta").GetProperty("total_count").GetInt32());
        Assert.Equal("351212000002", all.GetProperty("objects")[0].Str("number")); // newest first
        var (_, local) = await sender.Client.GetJsonAsync($"{numbers}?type=local");
        Assert.Equal(["351212000002"], local.GetProperty("objects").EnumerateArray().Select(o => o.Str("number")));
        var (_, prefixed) = await sender.Client.GetJsonAsync($"{numbers}?number_startswith=35191&limit=1");
        Assert.Equal(["351912000001"], prefixed.GetProperty("objects").EnumerateArray().Select(o => o.Str("number")));

        var (updated, changed) = await sender.Client.PostJsonAsync($"{numbers}351912000001/", new { alias = "Support line" });
        Assert.Equal(HttpStatusCode.Accepted, updated);
        Assert.Equal("changed", changed.Str("message"));
        var (_, one) = await sender.Client.GetJsonAsync($"{numbers}351912000001/");
        Assert.Equal("Support line", one.Str("alias"));
        Assert.Equal("mobile", one.Str("number_type"));
        Assert.Equal("PT", one.Str("region"));
        Assert.True(one.GetProperty("sms_enabled").GetBoolean());
        Assert.Equal($"/v1/Account/{sender.AuthId}/Number/351912000001/", one.Str("resource_uri"));
        var (_, byAlias) = await sender.Client.GetJsonAsync($"{numbers}?alias=Support%20line");
        Assert.Equal(1, byAlias.GetProperty("objects").GetArrayLength());

        var (unrented, _) = await sender.Client.SendAsync(HttpMethod.Delete, $"{numbers}351912000001/");
        Assert.Equal(HttpStatusCode.NoContent, unrented);
        Assert.Equal(HttpStatusCode.NotFound, (await sender.Client.GetJsonAsync($"{numbers}351912000001/")).Status);
        var (status, refused) = await sender.Client.PostJsonAsync(sender.MessagePath, new { src = MessagingHarness.Sender, dst = MessagingHarness.Destination(1), text = "hi" });
        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Contains("src is not a number of this account", refused.ErrorMessage());
    }

    [Theory]
    [MemberData(nameof(TestStorage.Providers), MemberType = typeof(TestStorage))]
    public async Task A_main_account_assigns_numbers_to_its_subaccounts_and_lists_them_by_subaccount(StorageProvider provider)
    {
        using var storage = await TestStorage.CreateAsync(provider);
        await using var server = await RunningServer.StartAsync(storage);
        var main = await MessagingHarness.CreateAsync(server);
        await MessagingHarness.AddNumberAsync(server, main.AccountId, "+351212000002", "local");
        var (_, created) = await main.Client.PostJsonAsync($"/v1/Account/{main.AuthId}/Subaccount/", new { name = "Branch", enabled = true });
        var (subId, subToken) = (created.Str("auth_id"), created.Str("auth_token"));
        using var sub = server.ApiClient(subId, subToken);
        var numbers = $"/v1/Account/{main.AuthId}/Number/";

        var (assigned, _) = await main.Client.PostJsonAsync($"{numbers}351212000002/", new { subaccount = subId, alias = "Branch line" });

        Assert.Equal(HttpStatusCode.Accepted, assigned);
        var (_, all) = await main.Client.GetJsonAsync(numbers);
        Assert.Equal(new[] { ("351212000002", subId), ("351912000001", (string?)null) },
            all.GetProperty("objects").EnumerateArray().Select(o => (o.Str("number"), o.GetProperty("sub_account").GetString())));
        var (_, bySubaccount) = await main.Client.GetJsonAsync($"{numbers}?subaccount={subId}");
        Assert.Equal(["351212000002"], bySubaccount.GetProperty("objects").EnumerateArray().Select(o => o.Str("number")));
        var (_, own) = await sub.GetJsonAsync($"/v1/Account/{subId}/Number/");
        Assert.Equal(["351212000002"], own.GetProperty("objects").EnumerateArray().Select(o => o.Str("number")));
        Assert.Equal("Branch line", own.GetProperty("objects")[0].Str("alias"));
        var (sent, _) = await sub.PostJsonAsync($"/v1/Account/{subId}/Message/", new { src = "351212000002", dst = MessagingHarness.Destination(1), text = "from the branch" });
        Assert.Equal(HttpStatusCode.Accepted, sent);
        var (mainSends, _) = await main.Client.PostJsonAsync(main.MessagePath, new { src = "351212000002", dst = MessagingHarness.Destination(1), text = "not mine now" });
        Assert.Equal(HttpStatusCode.BadRequest, mainSends);

        var (refused, why) = await sub.PostJsonAsync($"/v1/Account/{subId}/Number/351212000002/", new { subaccount = "" });
        Assert.Equal(HttpStatusCode.Forbidden, refused);
        Assert.Contains("a subaccount cannot assign numbers", why.ErrorMessage());
        Assert.Equal(HttpStatusCode.Forbidden, (await sub.GetJsonAsync($"/v1/Account/{subId}/Number/?subaccount={main.AuthId}")).Status);
        var (unknown, _) = await main.Client.GetJsonAsync($"{numbers}?subaccount=SA000000000000000000");
        Assert.Equal(HttpStatusCode.BadRequest, unknown);

        var (returned, _) = await main.Client.PostJsonAsync($"{numbers}351212000002/", new { subaccount = "" });
        Assert.Equal(HttpStatusCode.Accepted, returned);
        var (_, back) = await main.Client.GetJsonAsync($"{numbers}351212000002/");
        Assert.Equal(JsonValueKind.Null, back.GetProperty("sub_account").ValueKind);
        Assert.Equal("Branch line", back.Str("alias"));
        Assert.Equal(0, (await sub.GetJsonAsync($"/v1/Account/{subId}/Number/")).Body.GetProperty("objects").GetArrayLength());
    }

    [Fact]
    public async Task Numbers_are_filtered_by_renewal_date()
    {
        using var storage = await TestStorage.CreateAsync(StorageProvider.Sqlite);
        await using var server = await RunningServer.StartAsync(storage);
        var sender = await MessagingHarness.CreateAsync(server);
        var numbers = $"/v1/Account/{sender.AuthId}/Number/";
        var (_, one) = await sender.Client.GetJsonAsync($"{numbers}351912000001/");
        var renewal = DateOnly.ParseExact(one.Str("renewal_date"), "yyyy-MM-dd");
        string Day(int days) => renewal.AddDays(days).ToString("yyyy-MM-dd");

        async Task<int> CountAsync(string filter) => (await sender.Client.GetJsonAsync($"{numbers}?{filter}")).Body.GetProperty("objects").GetArrayLength();

        Assert.Equal(1, await CountAsync($"renewal_date={Day(0)}"));
        Assert.Equal(0, await CountAsync($"renewal_date={Day(1)}"));
        Assert.Equal(1, await CountAsync($"renewal_date__gt={Day(-1)}"));
        Assert.Equal(0, await CountAsync($"renewal_date__gt={Day(0)}"));
        Assert.Equal(1, await CountAsync($"renewal_date__gte={Day(0)}&renewal_date__lte={Day(0)}"));
        Assert.Equal(0, await CountAsync($"renewal_date__lt={Day(0)}"));
        var (status, body) = await sender.Client.GetJsonAsync($"{numbers}?renewal_date__gt=soon");
        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Contains("renewal_date__gt must be a time", body.ErrorMessage());
    }

    [Fact]
    public async Task Bad_number_requests_get_a_clear_4xx()
    {
        using var storage = await TestStorage.CreateAsync(StorageProvider.Sqlite);
        await using var server = await RunningServer.StartAsync(storage);
        var sender = await MessagingHarness.CreateAsync(server);
        var numbers = $"/v1/Account/{sender.AuthId}/Number/";

        Assert.Equal(HttpStatusCode.NotFound, (await sender.Client.GetJsonAsync($"{numbers}14155550000/")).Status);
        Assert.Equal(HttpStatusCode.NotFound, (await sender.Client.GetJsonAsync($"{numbers}not-a-number/")).Status);
        var (status, body) = await sender.Client.GetJsonAsync($"{numbers}?type=satellite");
        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Contains("type must be one of", body.ErrorMessage());
        (status, body) = await sender.Client.PostJsonAsync($"{numbers}351912000001/", new { alias = 12, region = "EU" });
        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Contains("unknown parameter: region", body.ErrorMessage());
        (status, body) = await sender.Client.GetJsonAsync($"{numbers}?services=voice");
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal(JsonValueKind.Array, body.GetProperty("objects").ValueKind);
        Assert.Equal(0, body.GetProperty("objects").GetArrayLength());
    }

    [Theory]
    [MemberData(nameof(TestStorage.Providers), MemberType = typeof(TestStorage))]
    public async Task Deleting_a_subaccount_moves_its_numbers_to_the_main_account_or_deletes_them_with_cascade(StorageProvider provider)
    {
        using var storage = await TestStorage.CreateAsync(provider);
        await using var server = await RunningServer.StartAsync(storage);
        var main = await MessagingHarness.CreateAsync(server);
        var accounts = server.Services.GetRequiredService<AccountService>();
        async Task<string> SubaccountWithNumberAsync(string number)
        {
            var (_, sub) = await main.Client.PostJsonAsync($"/v1/Account/{main.AuthId}/Subaccount/", new { name = "Sub", enabled = true });
            var subaccount = await accounts.FindAsync(sub.Str("auth_id"), CancellationToken.None);
            await MessagingHarness.AddNumberAsync(server, subaccount!.Id, number);
            return subaccount.AuthId;
        }
        var kept = await SubaccountWithNumberAsync("+351912000021");
        var cascaded = await SubaccountWithNumberAsync("+351912000022");

        await main.Client.SendAsync(HttpMethod.Delete, $"/v1/Account/{main.AuthId}/Subaccount/{kept}/", new { cascade = false });
        await main.Client.SendAsync(HttpMethod.Delete, $"/v1/Account/{main.AuthId}/Subaccount/{cascaded}/", new { cascade = true });

        var (_, numbers) = await main.Client.GetJsonAsync($"/v1/Account/{main.AuthId}/Number/");
        Assert.Equal(["351912000001", "351912000021"], numbers.GetProperty("objects").EnumerateArray().Select(o => o.Str("number")).Order());
        var (status, _) = await main.Client.PostJsonAsync(main.MessagePath, new { src = "351912000021", dst = MessagingHarness.Destination(1), text = "from a moved number" });
        Assert.Equal(HttpStatusCode.Accepted, status);
    }

    [Fact]
    public async Task A_subaccount_deleted_while_it_is_given_a_number_does_not_keep_it()
    {
        using var storage = await TestStorage.CreateAsync(StorageProvider.PostgreSql);
        await using var server = await RunningServer.StartAsync(storage);
        var main = await MessagingHarness.CreateAsync(server);
        var accounts = server.Services.GetRequiredService<AccountService>();
        var sub = (await accounts.CreateAsync("Branch", main.AccountId, true, AuditActor.Operator, null, CancellationToken.None)).Account;
        var contexts = server.Services.GetRequiredService<IDbContextFactory<ContactoDbContext>>();

        // A change that gives the subaccount a number holds it, as a number moving to it does ...
        await using var giving = contexts.CreateDbContext();
        await using var transaction = await giving.Database.BeginTransactionAsync();
        Assert.True(await server.Services.GetRequiredService<LiveAccounts>().HoldAsync(giving, sub.Id, CancellationToken.None));
        // ... so its deletion waits for the change to end ...
        var deletion = accounts.DeleteSubaccountAsync(main.AccountId, sub.Id, cascade: true,
            new AuditEntry(main.AccountId, AuditActor.Operator, AuditActions.SubaccountDeleted, "subaccount", sub.AuthId), CancellationToken.None);
        await WaitForALockWaitAsync(giving);
        giving.Add(new RentedNumber { Id = Guid.CreateVersion7(), AccountId = sub.Id, NumberSealed = [1], NumberIndex = [2], RoutingIndex = [3], Country = "PT", AddedAt = DateTimeOffset.UtcNow });
        await giving.SaveChangesAsync();
        await transaction.CommitAsync();

        // ... and then sees the number, and takes it with the subaccount.
        Assert.True(await deletion);
        await using var check = contexts.CreateDbContext();
        Assert.False(await check.Set<RentedNumber>().AnyAsync(n => n.AccountId == sub.Id));
    }

    /// <summary>Until another session of this database waits on a lock.</summary>
    static async Task WaitForALockWaitAsync(ContactoDbContext db)
    {
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        using var tick = new PeriodicTimer(TimeSpan.FromMilliseconds(10));
        while (await db.Database.SqlQuery<int>($"""
            SELECT CAST(COUNT(*) AS integer) AS "Value" FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'
            """).SingleAsync() == 0)
            await tick.WaitForNextTickAsync(deadline.Token);
    }
}
