using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Contacto.Audit;
using Contacto.Storage;
using Contacto.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Contacto.Tests.Audit;

/// <summary>
/// A customer keeps signed heads and checks them, and the proofs the API gives, with the
/// verification algorithms of RFC 9162 written here from the RFC's text (never the platform's
/// own code): a record is in the tree of a head, and an older head's tree is a prefix of a newer one's.
/// </summary>
public sealed class AuditProofTests
{
    [Theory]
    [MemberData(nameof(TestStorage.Providers), MemberType = typeof(TestStorage))]
    public async Task A_customer_checks_heads_inclusion_and_consistency_with_RFC_9162(StorageProvider provider)
    {
        using var storage = await TestStorage.CreateAsync(provider);
        await using var server = await RunningServer.StartAsync(storage);
        var (account, token) = await server.CreateAccountAsync("Proven");
        using var client = server.ApiClient(account.AuthId, token);
        var root = $"/v1/Account/{account.AuthId}/AuditLog/";
        var (none, noHead) = await client.GetJsonAsync($"{root}Head/");
        Assert.Equal(HttpStatusCode.NotFound, none);
        Assert.Contains("no signed head", noHead.ErrorMessage());

        // Enough records to fill tiles of 256 and to put a stored hash one tile level up.
        var writer = server.Services.GetRequiredService<AuditWriter>();
        var heads = server.Services.GetRequiredService<AuditHeadService>();
        await Task.WhenAll(Enumerable.Range(0, 300).Select(i => writer.WriteAsync(Entry(account.Id, i))));
        await heads.SignHeadsAsync(CancellationToken.None);
        var (_, old) = await client.GetJsonAsync($"{root}Head/");
        await Task.WhenAll(Enumerable.Range(300, 300).Select(i => writer.WriteAsync(Entry(account.Id, i))));
        await heads.SignHeadsAsync(CancellationToken.None);
        var (status, head) = await client.GetJsonAsync($"{root}Head/");
        Assert.Equal(HttpStatusCode.OK, status);

        CheckSignature(old, account.Id);
        CheckSignature(head, account.Id);
        var (oldSize, size) = (old.GetProperty("tree_size").GetInt64(), head.GetProperty("tree_size").GetInt64());
        Assert.True(oldSize >= 300 && size >= oldSize + 300, $"sizes {oldSize} and {size}");

        // Inclusion: a sample of records, the first and the last, against both heads.
        var (_, listed) = await client.GetJsonAsync($"{root}?limit=20");
        var records = listed.GetProperty("objects").EnumerateArray().Where(r => r.GetProperty("sequence").GetInt64() <= size).ToList();
        await using (var db = server.Services.GetRequiredService<IDbContextFactory<ContactoDbContext>>().CreateDbContext())
        {
            var first = await db.Set<AuditRecord>().SingleAsync(r => r.AccountId == account.Id && r.Sequence == 1);
            var boundary = await db.Set<AuditRecord>().SingleAsync(r => r.AccountId == account.Id && r.Sequence == 257);
            var ids = records.Select(r => r.Str("id")).Append(first.Id.ToString()).Append(boundary.Id.ToString());
            foreach (var id in ids)
            {
                var (proofStatus, proof) = await client.GetJsonAsync($"{root}Proof/?record_id={id}&tree_size={size}");
                Assert.Equal(HttpStatusCode.OK, proofStatus);
                var leafInput = Convert.FromBase64String(proof.Str("leaf_input"));
                Assert.Equal(Leaf(leafInput), Convert.FromBase64String(proof.Str("leaf_hash")));
                Assert.True(VerifyInclusion(proof.GetProperty("leaf_index").GetInt64(), size, Leaf(leafInput), Hashes(proof, "audit_path"), RootOf(head)),
                    $"inclusion of {id} in {size}");
            }
            var (_, early) = await client.GetJsonAsync($"{root}Proof/?record_id={boundary.Id}&tree_size={oldSize}");
            Assert.True(VerifyInclusion(256, oldSize, Convert.FromBase64String(early.Str("leaf_hash")), Hashes(early, "audit_path"), RootOf(old)));
            // The leaf is the record: its action is in the bytes hashed.
            Assert.Contains("test.proof", Encoding.UTF8.GetString(Convert.FromBase64String(early.Str("leaf_input"))));
        }

        // Consistency: the kept old head against the newest one, and a few sizes between.
        var (_, consistency) = await client.GetJsonAsync($"{root}Proof/?first={oldSize}&second={size}");
        Assert.True(VerifyConsistency(oldSize, size, RootOf(old), RootOf(head), Hashes(consistency, "consistency_path")));
        var (_, defaulted) = await client.GetJsonAsync($"{root}Proof/?first={oldSize}");
        Assert.Equal(size, defaulted.GetProperty("second").GetInt64());
        // A wrong old root does not verify: a proof is no rubber stamp.
        Assert.False(VerifyConsistency(oldSize, size, new byte[32], RootOf(head), Hashes(consistency, "consistency_path")));

        // Bad and hostile input: the API's errors.
        foreach (var query in new[] { "", "record_id=nonsense", $"record_id={Guid.CreateVersion7()}", $"first=0", $"first={size + 1}",
                     $"first=2&second=1", $"record_id={records[0].Str("id")}&tree_size={size + 1}", $"record_id={records[0].Str("id")}&first=1", "first=1&color=red" })
        {
            var (badStatus, bad) = await client.GetJsonAsync($"{root}Proof/?{query}");
            Assert.True(badStatus is HttpStatusCode.BadRequest or HttpStatusCode.NotFound, $"{query} answered {badStatus}");
            Assert.False(string.IsNullOrEmpty(bad.ErrorMessage()));
            Assert.False(string.IsNullOrEmpty(bad.Str("api_id")));
        }
    }

    [Theory]
    [MemberData(nameof(TestStorage.Providers), MemberType = typeof(TestStorage))]
    public async Task Another_tenants_record_has_no_proof(StorageProvider provider)
    {
        using var storage = await TestStorage.CreateAsync(provider);
        await using var server = await RunningServer.StartAsync(storage);
        var (a, tokenA) = await server.CreateAccountAsync("A");
        var (b, tokenB) = await server.CreateAccountAsync("B");
        using var asA = server.ApiClient(a.AuthId, tokenA);
        using var asB = server.ApiClient(b.AuthId, tokenB);
        await asA.GetJsonAsync($"/v1/Account/{a.AuthId}/");
        await asB.GetJsonAsync($"/v1/Account/{b.AuthId}/");
        await server.Services.GetRequiredService<AuditHeadService>().SignHeadsAsync(CancellationToken.None);
        var (_, listed) = await asA.GetJsonAsync($"/v1/Account/{a.AuthId}/AuditLog/");
        var recordOfA = listed.GetProperty("objects")[0].Str("id");

        var (status, response) = await asB.GetJsonAsync($"/v1/Account/{b.AuthId}/AuditLog/Proof/?record_id={recordOfA}");
        Assert.Equal(HttpStatusCode.NotFound, status);
        Assert.DoesNotContain(recordOfA, response.GetRawText());
        var (_, headOfB) = await asB.GetJsonAsync($"/v1/Account/{b.AuthId}/AuditLog/Head/");
        Assert.Equal(b.Id, Guid.Parse(headOfB.Str("account_id")));
    }

    /// <summary>The platform's proof paths for every leaf and size up to 70 leaves, and every pair of sizes, checked against the RFC's verifiers.</summary>
    [Fact]
    public void Proof_paths_verify_for_every_size_against_the_RFC_algorithms()
    {
        var leaves = Enumerable.Range(0, 70).Select(i => Leaf(BitConverter.GetBytes(i))).ToList();
        byte[] Mth(int start, int end) => end - start == 1 ? leaves[start] : Node(Mth(start, start + Split(end - start)), Mth(start + Split(end - start), end));
        byte[] Perfect(int level, long index) => Mth((int)(index << level), (int)((index + 1) << level));
        for (var size = 1; size <= leaves.Count; size++)
        {
            var root = Mth(0, size);
            Assert.Equal(root, MerkleTree.RangeHash(0, size, Perfect));
            for (var index = 0; index < size; index++)
            {
                var path = MerkleTree.InclusionPath(index, size).Select(r => MerkleTree.RangeHash(r.Start, r.End, Perfect)).ToList();
                Assert.True(VerifyInclusion(index, size, leaves[index], path, root), $"inclusion {index} in {size}");
                Assert.False(VerifyInclusion(index, size, leaves[(index + 1) % leaves.Count], path, root));
            }
            for (var first = 1; first < size; first++)
            {
                var path = MerkleTree.ConsistencyPath(first, size).Select(r => MerkleTree.RangeHash(r.Start, r.End, Perfect)).ToList();
                Assert.True(VerifyConsistency(first, size, Mth(0, first), root, path), $"consistency {first} to {size}");
            }
        }

        static int Split(int n)
        {
            var k = 1;
            while (k * 2 < n)
                k *= 2;
            return k;
        }
    }

    static AuditEntry Entry(Guid account, int i) =>
        new(account, AuditActor.System, "test.proof", "test", i.ToString(System.Globalization.CultureInfo.InvariantCulture));

    /// <summary>The head's fields, the signed text as documented, and the signature under the published key.</summary>
    static void CheckSignature(JsonElement head, Guid accountId)
    {
        Assert.Equal("ecdsa-p256-sha256", head.Str("signature_algorithm"));
        var text = $"contacto.audit.tree-head.1\n{accountId:D}\n{head.GetProperty("tree_size").GetInt64()}\n{head.GetProperty("timestamp").GetInt64()}\n{head.Str("root_hash")}\n";
        var signed = Convert.FromBase64String(head.Str("signed_data"));
        Assert.Equal(text, Encoding.UTF8.GetString(signed));
        using var key = ECDsa.Create();
        key.ImportFromPem(head.Str("public_key"));
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(key.ExportSubjectPublicKeyInfo())), head.Str("key_id"));
        Assert.True(key.VerifyData(signed, Convert.FromBase64String(head.Str("signature")), HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation));
    }

    static byte[] RootOf(JsonElement head) => Convert.FromBase64String(head.Str("root_hash"));

    static List<byte[]> Hashes(JsonElement proof, string name) => proof.GetProperty(name).EnumerateArray().Select(h => Convert.FromBase64String(h.GetString()!)).ToList();

    static byte[] Leaf(byte[] entry) => SHA256.HashData([0x00, .. entry]);

    static byte[] Node(byte[] left, byte[] right) => SHA256.HashData([0x01, .. left, .. right]);

    /// <summary>RFC 9162, 2.1.3.2, "Verifying an Inclusion Proof", step by step.</summary>
    static bool VerifyInclusion(long leafIndex, long treeSize, byte[] hash, IReadOnlyList<byte[]> inclusionPath, byte[] rootHash)
    {
        if (leafIndex >= treeSize)
            return false;
        var (fn, sn) = (leafIndex, treeSize - 1);
        var r = hash;
        foreach (var p in inclusionPath)
        {
            if (sn == 0)
                return false;
            if ((fn & 1) == 1 || fn == sn)
            {
                r = Node(p, r);
                if ((fn & 1) == 0)
                    while ((fn & 1) == 0 && fn != 0)
                        (fn, sn) = (fn >> 1, sn >> 1);
            }
            else
            {
                r = Node(r, p);
            }
            (fn, sn) = (fn >> 1, sn >> 1);
        }
        return sn == 0 && r.AsSpan().SequenceEqual(rootHash);
    }

    /// <summary>RFC 9162, 2.1.4.2, "Verifying Consistency between Two Tree Heads", step by step.</summary>
    static bool VerifyConsistency(long first, long second, byte[] firstHash, byte[] secondHash, IReadOnlyList<byte[]> consistencyPath)
    {
        if (consistencyPath.Count == 0)
            return false;
        var path = (first & (first - 1)) == 0 ? [firstHash, .. consistencyPath] : consistencyPath.ToList();
        var (fn, sn) = (first - 1, second - 1);
        while ((fn & 1) == 1)
            (fn, sn) = (fn >> 1, sn >> 1);
        var (fr, sr) = (path[0], path[0]);
        foreach (var c in path.Skip(1))
        {
            if (sn == 0)
                return false;
            if ((fn & 1) == 1 || fn == sn)
            {
                fr = Node(c, fr);
                sr = Node(c, sr);
                if ((fn & 1) == 0)
                    while ((fn & 1) == 0 && fn != 0)
                        (fn, sn) = (fn >> 1, sn >> 1);
            }
            else
            {
                sr = Node(sr, c);
            }
            (fn, sn) = (fn >> 1, sn >> 1);
        }
        return fr.AsSpan().SequenceEqual(firstHash) && sr.AsSpan().SequenceEqual(secondHash) && sn == 0;
    }
}
