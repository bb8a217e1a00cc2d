using System.Text.Json;
using Contacto.Audit;
using Contacto.Cli;
using Contacto.Storage;
using Contacto.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace Contacto.Tests.Audit;

/// <summary>
/// Someone with the database (and only the database) cuts an account's trail short or removes
/// it, as the security review did; or the heads stop being anchored. The signed heads anchored
/// outside the database show each.
/// </summary>
public sealed class TruncationTests
{
    [Theory]
    [MemberData(nameof(TestStorage.Providers), MemberType = typeof(TestStorage))]
    public async Task Cutting_the_newest_records_with_the_head_and_the_later_signed_heads_fails_verify(StorageProvider provider)
    {
        using var storage = await TestStorage.CreateAsync(provider);
        await using var server = await RunningServer.StartAsync(storage);
        var (account, token) = await ActiveAccountAsync(server);

        // The measured attack: the newest 14 records go, the chain head is set back to the last kept
        // record, and every signed head past it goes too (with the Merkle tiles, for good measure).
        await using (var db = server.Services.GetRequiredService<IDbContextFactory<ContactoDbContext>>().CreateDbContext())
        {
            var head = await db.Set<AuditChainHead>().AsNoTracking().SingleAsync(h => h.ChainId == account.Id);
            var kept = head.Sequence - 14;
            var last = await db.Set<AuditRecord>().AsNoTracking().SingleAsync(r => r.AccountId == account.Id && r.Sequence == kept);
            await db.Database.ExecuteSqlAsync($"DELETE FROM audit_records WHERE chain_id = {account.Id} AND seq > {kept}");
            await db.Database.ExecuteSqlAsync($"UPDATE audit_chain_heads SET seq = {kept}, mac = {last.Mac} WHERE chain_id = {account.Id}");
            await db.Database.ExecuteSqlAsync($"DELETE FROM audit_tree_heads WHERE chain_id = {account.Id} AND tree_size > {kept}");
            await db.Database.ExecuteSqlAsync($"DELETE FROM audit_tree_tiles WHERE chain_id = {account.Id}");
        }

        var output = new StringWriter();
        Assert.Equal(1, await VerifyAsync(storage, account.AuthId, output));
        Assert.Contains($"account {account.AuthId}", output.ToString());
        Assert.Contains("were cut off", output.ToString());
    }

    [Theory]
    [MemberData(nameof(TestStorage.Providers), MemberType = typeof(TestStorage))]
    public async Task A_deleted_chain_fails_verify(StorageProvider provider)
    {
        using var storage = await TestStorage.CreateAsync(provider);
        await using var server = await RunningServer.StartAsync(storage);
        var (account, _) = await ActiveAccountAsync(server);

        await using (var db = server.Services.GetRequiredService<IDbContextFactory<ContactoDbContext>>().CreateDbContext())
        {
            await db.Database.ExecuteSqlAsync($"DELETE FROM audit_records WHERE chain_id = {account.Id}");
            await db.Database.ExecuteSqlAsync($"DELETE FROM audit_chain_heads WHERE chain_id = {account.Id}");
            await db.Database.ExecuteSqlAsync($"DELETE FROM audit_tree_heads WHERE chain_id = {account.Id}");
            await db.Database.ExecuteSqlAsync($"DELETE FROM audit_tree_tiles WHERE chain_id = {account.Id}");
        }

        // Every chain, as an operator runs it: the account has no records left to find it by.
        var output = new StringWriter();
        Assert.Equal(1, await ContactoCli.InvokeAsync([.. storage.Arguments, "audit", "verify"], output, TextWriter.Null));
        Assert.Contains($"account {account.AuthId}", output.ToString());
        Assert.Contains("the chain was deleted", output.ToString());
    }

    [Theory]
    [MemberData(nameof(TestStorage.Providers), MemberType = typeof(TestStorage))]
    public async Task Records_left_without_an_anchored_head_past_the_deadline_fail_verify(StorageProvider provider)
    {
        using var storage = await TestStorage.CreateAsync(provider);
        await using var server = await RunningServer.StartAsync(storage);
        var (account, token) = await server.CreateAccountAsync();
        using (var client = server.ApiClient(account.AuthId, token))
            await client.GetJsonAsync($"/v1/Account/{account.AuthId}/");
        var deadline = server.Services.GetRequiredService<IOptions<AuditOptions>>().Value.HeadDeadline;
        var later = new FakeTimeProvider(DateTimeOffset.UtcNow + deadline + TimeSpan.FromMinutes(1));

        // Nothing signed yet: fine while the records are young, not once the deadline has passed.
        Assert.True((await server.Services.GetRequiredService<AuditVerifier>().VerifyAsync(account.Id, CancellationToken.None)).Intact);
        var late = await Verifier(server, later).VerifyAsync(account.Id, CancellationToken.None);
        Assert.False(late.Intact);
        Assert.Equal(1, late.FirstProblem!.Sequence);
        Assert.Contains("heads are missing for a period with activity", late.FirstProblem.What);

        // Signed only after the deadline: the gap stays visible.
        await HeadService(server, later).SignHeadsAsync(CancellationToken.None);
        var gap = await Verifier(server, later).VerifyAsync(account.Id, CancellationToken.None);
        Assert.False(gap.Intact);
        Assert.Contains("first anchored head to cover it was signed", gap.FirstProblem!.What);
    }

    [Theory]
    [MemberData(nameof(TestStorage.Providers), MemberType = typeof(TestStorage))]
    public async Task An_anchor_not_signed_with_the_head_key_fails_verify(StorageProvider provider)
    {
        using var storage = await TestStorage.CreateAsync(provider);
        await using var server = await RunningServer.StartAsync(storage);
        var (account, _) = await ActiveAccountAsync(server);
        var anchorDirectory = Path.Combine(storage.DataDir, "audit-anchors", account.Id.ToString("D"));
        var newest = Directory.EnumerateFiles(anchorDirectory, "*.json").Order().Last();
        var head = JsonDocument.Parse(File.ReadAllText(newest)).RootElement;
        var size = head.GetProperty("tree_size").GetInt64() + 1;
        File.WriteAllText(Path.Combine(anchorDirectory, $"{size:D20}.json"), JsonSerializer.Serialize(new
        {
            chain_id = account.Id,
            tree_size = size,
            timestamp = head.GetProperty("timestamp").GetInt64(),
            root_hash = head.GetProperty("root_hash").GetString(),
            signature = head.GetProperty("signature").GetString(),
        }));

        var result = await server.Services.GetRequiredService<AuditVerifier>().VerifyAsync(account.Id, CancellationToken.None);
        Assert.False(result.Intact);
        Assert.Contains("signature is not valid", result.FirstProblem!.What);
    }

    [Theory]
    [MemberData(nameof(TestStorage.Providers), MemberType = typeof(TestStorage))]
    public async Task Anchors_are_created_once_and_an_anchored_size_is_never_rewritten(StorageProvider provider)
    {
        using var storage = await TestStorage.CreateAsync(provider);
        await using var server = await RunningServer.StartAsync(storage);
        var (account, _) = await ActiveAccountAsync(server);
        var anchors = server.Services.GetRequiredService<AuditAnchors>();
        var anchored = anchors.Read(account.Id);
        Assert.Equal(2, anchored.Count);

        // The same size signed again (another node, a retry) keeps the first file as it was.
        var key = server.Services.GetRequiredService<AuditHeadKey>();
        var again = key.Sign(account.Id, anchored[^1].TreeSize, DateTimeOffset.UtcNow.AddMinutes(5), anchored[^1].RootHash);
        Assert.True(anchors.Write(again).SameAs(anchored[^1]));
        Assert.True(anchors.Read(account.Id)[^1].SameAs(anchored[^1]));
        // Another root for an anchored size is refused.
        var rewritten = key.Sign(account.Id, anchored[^1].TreeSize, DateTimeOffset.UtcNow, new byte[MerkleTree.HashSize]);
        Assert.Throws<AuditAnchorException>(() => anchors.Write(rewritten));
        Assert.True(anchors.Read(account.Id)[^1].SameAs(anchored[^1]));
        Assert.Equal(0, await VerifyAsync(storage, account.AuthId));
    }

    /// <summary>An account with a signed head over its first records and another over 14 more; verify passes.</summary>
    static async Task<(Contacto.Accounts.Account Account, string Token)> ActiveAccountAsync(RunningServer server)
    {
        var (account, token) = await server.CreateAccountAsync("Cut short");
        var heads = server.Services.GetRequiredService<AuditHeadService>();
        using (var client = server.ApiClient(account.AuthId, token))
        {
            for (var i = 0; i < 4; i++)
                await client.GetJsonAsync($"/v1/Account/{account.AuthId}/");
            await heads.SignHeadsAsync(CancellationToken.None);
            for (var i = 0; i < 14; i++)
                await client.GetJsonAsync($"/v1/Account/{account.AuthId}/");
        }
        await heads.SignHeadsAsync(CancellationToken.None);
        Assert.True((await server.Services.GetRequiredService<AuditVerifier>().VerifyAsync(account.Id, CancellationToken.None)).Intact);
        return (account, token);
    }

    static AuditVerifier Verifier(RunningServer server, TimeProvider time) => new(
        server.Services.GetRequiredService<IDbContextFactory<ContactoDbContext>>(), server.Services.GetRequiredService<AuditMac>(),
        server.Services.GetRequiredService<AuditHeadKey>(), server.Services.GetRequiredService<AuditAnchors>(),
        server.Services.GetRequiredService<IOptions<AuditOptions>>(), time);

    static AuditHeadService HeadService(RunningServer server, TimeProvider time) => new(
        server.Services.GetRequiredService<IDbContextFactory<ContactoDbContext>>(), server.Services.GetRequiredService<AuditMac>(),
        server.Services.GetRequiredService<AuditHeadKey>(), server.Services.GetRequiredService<AuditAnchors>(),
        server.Services.GetRequiredService<IOptions<AuditOptions>>(), time, NullLogger<AuditHeadService>.Instance);

    static Task<int> VerifyAsync(TestStorage storage, string authId, StringWriter? output = null) =>
        ContactoCli.InvokeAsync([.. storage.Arguments, "audit", "verify", "--account", authId], output ?? new StringWriter(), TextWriter.Null);
}
