using System.Net;
using System.Text;
using Contacto.Numbers;
using Contacto.Audit;
using Contacto.Console;
using Contacto.Crypto;
using Contacto.Messaging;
using Contacto.Storage;
using Contacto.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Contacto.Tests.Console;

public sealed class ConsoleMessageLogTests
{
    [Theory]
    [MemberData(nameof(TestStorage.Providers), MemberType = typeof(TestStorage))]
    public async Task The_messages_page_lists_the_accounts_messages_newest_first_filters_pages_and_shows_one_audited(StorageProvider provider)
    {
        using var storage = await TestStorage.CreateAsync(provider);
        await using var console = await ConsoleServer.StartAsync(storage);
        var (account, _) = await console.Server.CreateAccountAsync("Acme");
        var (other, _) = await console.Server.CreateAccountAsync("Other");
        var day = new DateTimeOffset(2026, 3, 10, 12, 0, 0, TimeSpan.Zero);
        var older = await SeedAsync(console, account.Id, "+351910000001", "+351910000002", "first words", day, MessageStates.Delivered);
        var newer = await SeedAsync(console, account.Id, "+351910000003", "+351910000001", "second words", day.AddDays(1), MessageStates.Failed, MessageDirections.Inbound, errorCode: "50");
        var foreign = await SeedAsync(console, other.Id, "+351910000009", "+351910000008", "not yours", day, MessageStates.Sent);
        var member = await console.MemberAsync(account.AuthId, "msg@example.com", ConsoleRole.Developer);

        var account1 = await member.Browser.GetAsync("/console/account");
        Assert.Contains("href=\"/console/messages\"", account1.Html);
        var list = await member.Browser.GetAsync("/console/messages");
        Assert.Equal(HttpStatusCode.OK, list.Status);
        Assert.True(list.Html.IndexOf(newer.ToString(), StringComparison.Ordinal) is var n && n > 0 && n < list.Html.IndexOf(older.ToString(), StringComparison.Ordinal), "newest first");
        Assert.Contains("+351910000003", WebUtility.HtmlDecode(list.Html));
        Assert.DoesNotContain(foreign.ToString(), list.Html);
        Assert.DoesNotContain("351910000009", list.Html);

        var inbound = await member.Browser.GetAsync("/console/messages?direction=inbound");
        Assert.Contains(newer.ToString(), inbound.Html);
        Assert.DoesNotContain(older.ToString(), inbound.Html);
        var delivered = await member.Browser.GetAsync("/console/messages?state=delivered");
        Assert.Contains(older.ToString(), delivered.Html);
        Assert.DoesNotContain(newer.ToString(), delivered.Html);
        var firstDay = await member.Browser.GetAsync("/console/messages?from=2026-03-10&to=2026-03-10");
        Assert.Contains(older.ToString(), firstDay.Html);
        Assert.DoesNotContain(newer.ToString(), firstDay.Html);
        var byNumber = await member.Browser.GetAsync("/console/messages?number=00351%20910%20000%20003");
        Assert.Contains(newer.ToString(), byNumber.Html);
        Assert.DoesNotContain(older.ToString(), byNumber.Html);
        var eitherSide = await member.Browser.GetAsync("/console/messages?number=%2B351910000001");
        Assert.Contains(newer.ToString(), eitherSide.Html);
        Assert.Contains(older.ToString(), eitherSide.Html);
        Assert.Equal(HttpStatusCode.BadRequest, (await member.Browser.GetAsync("/console/messages?state=lost")).Status);
        Assert.Equal(HttpStatusCode.BadRequest, (await member.Browser.GetAsync("/console/messages?from=10/03/2026")).Status);

        var detail = await member.Browser.GetAsync($"/console/messages/{newer}");
        Assert.Equal(HttpStatusCode.OK, detail.Status);
        Assert.Contains($"<code id=\"message-uuid\">{newer}</code>", detail.Html);
        Assert.Contains("<dd id=\"message-state\">failed</dd>", detail.Html);
        Assert.Contains("<span id=\"message-text\">second words</span>", detail.Html);
        Assert.Contains("50 (", detail.Html);
        Assert.Equal(HttpStatusCode.NotFound, (await member.Browser.GetAsync($"/console/messages/{foreign}")).Status);
        Assert.Equal(HttpStatusCode.NotFound, (await member.Browser.GetAsync($"/console/messages/{Guid.CreateVersion7()}")).Status);

        await using var db = console.Server.Services.GetRequiredService<ContactoDbContextFactory>().CreateForAccount(account.Id);
        var records = await db.Set<AuditRecord>().Where(r => r.Action == AuditActions.MessageRead || r.Action == AuditActions.MessageListed).ToListAsync();
        Assert.Contains(records, r => r.Action == AuditActions.MessageRead && r.ResourceId == newer.ToString() && r.ActorKind == ActorKind.ConsoleUser);
        Assert.DoesNotContain(records, r => r.ResourceId == foreign.ToString());
        Assert.True(records.Count(r => r.Action == AuditActions.MessageListed) >= 6);
    }

    [Fact]
    public async Task Pages_of_fifty_link_to_older_messages()
    {
        using var storage = await TestStorage.CreateAsync(StorageProvider.Sqlite);
        await using var console = await ConsoleServer.StartAsync(storage);
        var (account, _) = await console.Server.CreateAccountAsync();
        var start = new DateTimeOffset(2026, 3, 1, 0, 0, 0, TimeSpan.Zero);
        var ids = new List<Guid>();
        for (var i = 0; i < ConsoleMessageLog.PageSize + 2; i++)
            ids.Add(await SeedAsync(console, account.Id, "+351910000001", "+351910000002", $"n{i}", start.AddMinutes(i), MessageStates.Delivered));
        var member = await console.MemberAsync(account.AuthId, "pages@example.com", ConsoleRole.ReadOnly);

        var first = await member.Browser.GetAsync("/console/messages?direction=outbound");
        Assert.Contains(ids[^1].ToString(), first.Html);
        Assert.DoesNotContain(ids[1].ToString(), first.Html);
        Assert.Contains("href=\"/console/messages?direction=outbound&amp;page=2\"", first.Html);
        var second = await member.Browser.GetAsync("/console/messages?direction=outbound&page=2");
        Assert.Contains(ids[0].ToString(), second.Html);
        Assert.Contains(ids[1].ToString(), second.Html);
        Assert.DoesNotContain(ids[^1].ToString(), second.Html);
        Assert.DoesNotContain("rel=\"next\"", second.Html);
    }

    [Theory]
    [InlineData(ConsoleRole.Owner, true)]
    [InlineData(ConsoleRole.Admin, true)]
    [InlineData(ConsoleRole.Developer, true)]
    [InlineData(ConsoleRole.Billing, false)]
    [InlineData(ConsoleRole.ReadOnly, false)]
    public async Task Only_owners_admins_and_developers_see_a_messages_text(ConsoleRole role, bool seesText)
    {
        using var storage = await TestStorage.CreateAsync(StorageProvider.Sqlite);
        await using var console = await ConsoleServer.StartAsync(storage);
        var (account, _) = await console.Server.CreateAccountAsync();
        var id = await SeedAsync(console, account.Id, "+351910000001", "+351910000002", "the secret plan", DateTimeOffset.UtcNow, MessageStates.Delivered);
        var member = await console.MemberAsync(account.AuthId, "role@example.com", role);

        var detail = await member.Browser.GetAsync($"/console/messages/{id}");
        Assert.Equal(HttpStatusCode.OK, detail.Status);
        Assert.Contains("<dd id=\"message-to\">+351910000002</dd>", WebUtility.HtmlDecode(detail.Html));
        Assert.Equal(seesText, detail.Html.Contains("the secret plan", StringComparison.Ordinal));
        Assert.DoesNotContain("the secret plan", (await member.Browser.GetAsync("/console/messages")).Html);

        await using var db = console.Server.Services.GetRequiredService<ContactoDbContextFactory>().CreateForAccount(account.Id);
        var read = await db.Set<AuditRecord>().SingleAsync(r => r.Action == AuditActions.MessageRead);
        Assert.Equal(seesText ? "with text" : "metadata only", read.Reason);
    }

    [Fact]
    public async Task Signed_out_the_messages_page_sends_to_sign_in()
    {
        using var storage = await TestStorage.CreateAsync(StorageProvider.Sqlite);
        await using var console = await ConsoleServer.StartAsync(storage);
        using var browser = console.Browser();
        var answer = await browser.GetAsync($"/console/messages/{Guid.CreateVersion7()}");
        Assert.Equal(HttpStatusCode.Redirect, answer.Status);
        Assert.StartsWith("/console/sign-in", answer.Location);
    }

    /// <summary>Writes a message as the messaging service would: numbers and text sealed with the account's key, numbers indexed.</summary>
    static async Task<Guid> SeedAsync(ConsoleServer console, Guid accountId, string from, string to, string text, DateTimeOffset at, string state,
        string direction = MessageDirections.Outbound, string? errorCode = null)
    {
        var services = console.Server.Services;
        var id = Guid.CreateVersion7();
        Message message;
        using (var keys = await services.GetRequiredService<ITenantCrypto>().LeaseKeysAsync(accountId))
            message = new Message
            {
                Id = id,
                AccountId = accountId,
                Direction = direction,
                State = state,
                ErrorCode = errorCode,
                FromSealed = keys.Seal(Message.FromPurpose, id, Encoding.UTF8.GetBytes(from)),
                ToSealed = keys.Seal(Message.ToPurpose, id, Encoding.UTF8.GetBytes(to)),
                TextSealed = keys.Seal(Message.TextPurpose, id, Encoding.UTF8.GetBytes(text)),
                FromIndex = keys.ComputeBlindIndex(NumberPlan.IndexPurpose, from),
                ToIndex = keys.ComputeBlindIndex(NumberPlan.IndexPurpose, to),
                DestinationCountry = "PT",
                Units = 1,
                CreatedAt = at,
                UpdatedAt = at,
            };
        await using var db = services.GetRequiredService<ContactoDbContextFactory>().CreateForAccount(accountId);
        db.Add(message);
        await db.SaveChangesAsync();
        return id;
    }
}
