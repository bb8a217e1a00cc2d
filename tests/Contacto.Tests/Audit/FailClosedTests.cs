using System.Net;
using Contacto.Audit;
using Contacto.Storage;
using Contacto.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Contacto.Tests.Audit;

/// <summary>When the audit record cannot be written, the action does not happen and the data is not shown.</summary>
public sealed class FailClosedTests
{
    public static TheoryData<StorageProvider, string> Cases()
    {
        var cases = new TheoryData<StorageProvider, string>();
        foreach (var provider in new[] { StorageProvider.Sqlite, StorageProvider.PostgreSql })
            foreach (var action in new[] { AuditActions.AccountUpdated, AuditActions.SubaccountCreated, AuditActions.AccountRead })
                cases.Add(provider, action);
        return cases;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task An_action_whose_record_cannot_be_written_is_refused_and_leaves_nothing(StorageProvider provider, string action)
    {
        using var storage = await TestStorage.CreateAsync(provider);
        await using var server = await RunningServer.StartAsync(storage);
        var (account, token) = await server.CreateAccountAsync("Before");
        using var client = server.ApiClient(account.AuthId, token);
        var root = $"/v1/Account/{account.AuthId}/";
        await using var db = server.Services.GetRequiredService<IDbContextFactory<ContactoDbContext>>().CreateDbContext();

        await BreakAuditWritesAsync(db, action);
        var (status, body) = action switch
        {
            AuditActions.AccountUpdated => await client.PostJsonAsync(root, new { name = "After" }),
            AuditActions.SubaccountCreated => await client.PostJsonAsync($"{root}Subaccount/", new { name = "Ghost" }),
            _ => await client.GetJsonAsync(root),
        };
        await RepairAuditWritesAsync(db);

        Assert.True((int)status >= 500, $"{action} answered {status} although its record could not be written");
        Assert.DoesNotContain("Before", body.GetRawText()); // no data came back
        var (_, account2) = await client.GetJsonAsync(root);
        Assert.Equal("Before", account2.Str("name"));
        Assert.Equal(0, (await client.GetJsonAsync($"{root}Subaccount/")).Body.GetProperty("meta").GetProperty("total_count").GetInt32());
        Assert.True((await server.Services.GetRequiredService<AuditVerifier>().VerifyAsync(null, CancellationToken.None)).Intact);
    }

    /// <summary>A trigger that refuses audit records of one action, as a full disk or a revoked grant would.</summary>
    static async Task BreakAuditWritesAsync(ContactoDbContext db, string action)
    {
        // DDL takes no parameters; the action is one of this class's own constants.
        var condition = $"NEW.\"Action\" = '{action}'";
        if (db.Database.IsNpgsql())
        {
            await db.Database.ExecuteSqlRawAsync(
                "CREATE FUNCTION refuse_audit() RETURNS trigger AS $$ BEGIN RAISE EXCEPTION 'audit storage unavailable'; END $$ LANGUAGE plpgsql");
            var trigger = $"CREATE TRIGGER refuse_audit BEFORE INSERT ON audit_records FOR EACH ROW WHEN ({condition}) EXECUTE FUNCTION refuse_audit()";
            await db.Database.ExecuteSqlRawAsync(trigger);
        }
        else
        {
            var trigger = $"CREATE TRIGGER refuse_audit BEFORE INSERT ON audit_records WHEN {condition} BEGIN SELECT RAISE(ABORT, 'audit storage unavailable'); END";
            await db.Database.ExecuteSqlRawAsync(trigger);
        }
    }

    static async Task RepairAuditWritesAsync(ContactoDbContext db)
    {
        await db.Database.ExecuteSqlRawAsync(db.Database.IsNpgsql() ? "DROP TRIGGER refuse_audit ON audit_records" : "DROP TRIGGER refuse_audit");
    }
}
