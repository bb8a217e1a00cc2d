using Contacto.Audit;
using Contacto.Cli;
using Contacto.Storage;
using Contacto.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Contacto.Tests.Audit;

/// <summary>Someone with write access to the database edits the trail; verification names the first bad record.</summary>
public sealed class TamperEvidenceTests
{
    public static TheoryData<StorageProvider, string> Cases()
    {
        var cases = new TheoryData<StorageProvider, string>();
        foreach (var provider in new[] { StorageProvider.Sqlite, StorageProvider.PostgreSql })
            foreach (var tampering in new[] { "alter", "delete", "reorder", "insert", "truncate", "forge-head" })
                cases.Add(provider, tampering);
        return cases;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task Every_kind_of_tampering_is_detected(StorageProvider provider, string tampering)
    {
        using var storage = await TestStorage.CreateAsync(provider);
        await using var server = await RunningServer.StartAsync(storage);
        var (account, token) = await server.CreateAccountAsync();
        using (var client = server.ApiClient(account.AuthId, token))
            for (var i = 0; i < 3; i++)
                await client.PostJsonAsync($"/v1/Account/{account.AuthId}/", new { city = $"City {i}" });
        await server.Services.GetRequiredService<AuditHeadService>().SignHeadsAsync(CancellationToken.None);
        var verifier = server.Services.GetRequiredService<AuditVerifier>();
        Assert.True((await verifier.VerifyAsync(account.Id, CancellationToken.None)).Intact);

        var expectedAt = await TamperAsync(server, account.Id, tampering);

        var result = await verifier.VerifyAsync(account.Id, CancellationToken.None);
        Assert.False(result.Intact, $"{tampering} went unnoticed");
        Assert.Equal(account.Id, result.FirstProblem!.ChainId);
        Assert.Equal(expectedAt, result.FirstProblem.Sequence);

        var output = new StringWriter();
        Assert.Equal(1, await ContactoCli.InvokeAsync([.. storage.Arguments, "audit", "verify", "--account", account.AuthId], output, TextWriter.Null));
        Assert.Contains($"record {expectedAt}", output.ToString());
    }

    [Theory]
    [MemberData(nameof(TestStorage.Providers), MemberType = typeof(TestStorage))]
    public async Task An_untouched_trail_verifies_from_the_CLI(StorageProvider provider)
    {
        using var storage = await TestStorage.CreateAsync(provider);
        await using (var server = await RunningServer.StartAsync(storage))
        {
            var (account, token) = await server.CreateAccountAsync();
            using var client = server.ApiClient(account.AuthId, token);
            await client.GetJsonAsync($"/v1/Account/{account.AuthId}/");
            await server.Services.GetRequiredService<AuditHeadService>().SignHeadsAsync(CancellationToken.None);
        }
        var output = new StringWriter();
        var exitCode = await ContactoCli.InvokeAsync([.. storage.Arguments, "audit", "verify"], output, TextWriter.Null);
        Assert.True(exitCode == 0, $"verify exited {exitCode}: {output}");
        Assert.StartsWith("OK:", output.ToString());
    }

    /// <summary>Edits the chain directly in the database; returns the sequence the verifier must name.</summary>
    static async Task<long> TamperAsync(RunningServer server, Guid chain, string tampering)
    {
        await using var db = server.Services.GetRequiredService<IDbContextFactory<ContactoDbContext>>().CreateDbContext();
        var head = await db.Set<AuditChainHead>().AsNoTracking().SingleAsync(h => h.ChainId == chain);
        Assert.True(head.Sequence >= 5, $"the chain has only {head.Sequence} records");
        switch (tampering)
        {
            case "alter":
                await db.Database.ExecuteSqlAsync($"UPDATE audit_records SET \"Reason\" = {"nothing to see"} WHERE chain_id = {chain} AND seq = {2L}");
                return 2;
            case "delete":
                await db.Database.ExecuteSqlAsync($"DELETE FROM audit_records WHERE chain_id = {chain} AND seq = {2L}");
                return 2;
            case "reorder":
                await db.Database.ExecuteSqlAsync($"UPDATE audit_records SET seq = {-1L} WHERE chain_id = {chain} AND seq = {2L}");
                await db.Database.ExecuteSqlAsync($"UPDATE audit_records SET seq = {2L} WHERE chain_id = {chain} AND seq = {3L}");
                await db.Database.ExecuteSqlAsync($"UPDATE audit_records SET seq = {3L} WHERE chain_id = {chain} AND seq = {-1L}");
                return 2;
            case "insert":
            {
                // A copy of a genuine record (with its genuine MAC) appended as the newest link.
                var genuine = await db.Set<AuditRecord>().AsNoTracking().SingleAsync(r => r.AccountId == chain && r.Sequence == 2);
                genuine.Id = Guid.CreateVersion7();
                genuine.Sequence = head.Sequence + 1;
                genuine.Reason = "granted by support";
                db.Add(genuine);
                await db.SaveChangesAsync();
                await db.Database.ExecuteSqlAsync($"UPDATE audit_chain_heads SET seq = {genuine.Sequence}, mac = {genuine.Mac} WHERE chain_id = {chain}");
                return genuine.Sequence;
            }
            case "truncate":
            {
                // Cut off the newest record and make the head point at the one before: only the anchored head shows it.
                var previous = await db.Set<AuditRecord>().AsNoTracking().SingleAsync(r => r.AccountId == chain && r.Sequence == head.Sequence - 1);
                await db.Database.ExecuteSqlAsync($"DELETE FROM audit_records WHERE chain_id = {chain} AND seq = {head.Sequence}");
                await db.Database.ExecuteSqlAsync($"UPDATE audit_chain_heads SET seq = {previous.Sequence}, mac = {previous.Mac} WHERE chain_id = {chain}");
                return head.Sequence;
            }
            case "forge-head":
                await db.Database.ExecuteSqlAsync($"UPDATE audit_tree_heads SET signature = {new byte[AuditHeadKey.SignatureSize]} WHERE chain_id = {chain}");
                return head.Sequence;
            default:
                throw new ArgumentOutOfRangeException(nameof(tampering));
        }
    }
}
