using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using Contacto.Platform;
using Microsoft.Extensions.Options;

namespace Contacto.Audit;

/// <summary>
/// The append-only store of signed tree heads outside the database: <c>Audit:AnchorPath</c>
/// (default <c>{data}/audit-anchors</c>), meant to be another device or a bucket with object lock.
/// One file per head, <c>{chain id}/{tree size, 20 digits}.json</c>, created once and never
/// rewritten: a file is written under a temporary name and linked to its final name only if that
/// name is free, so a head is never half-written or replaced.
/// </summary>
public sealed class AuditAnchors(IOptions<AuditOptions> options, DataDirectory dataDirectory)
{
    const string Suffix = ".json";

    static readonly JsonSerializerOptions Json = new() { WriteIndented = false };

    string Root => options.Value.AnchorPath ?? dataDirectory.Ensure("audit-anchors");

    /// <summary>
    /// Anchors the head. When that size is anchored already (another node, or an earlier attempt
    /// whose database write failed) returns the anchored head, which must have the same root.
    /// </summary>
    public AuditTreeHead Write(AuditTreeHead head)
    {
        var directory = Path.Combine(Root, head.AccountId.ToString("D"));
        Directory.CreateDirectory(directory);
        var path = PathOf(directory, head.TreeSize);
        var temporary = Path.Combine(directory, $".{head.TreeSize}.{Guid.NewGuid():N}.tmp");
        try
        {
            using (var file = new FileStream(temporary, FileMode.CreateNew, FileAccess.Write))
            {
                JsonSerializer.Serialize(file, AnchorFile.From(head), Json);
                file.Flush(flushToDisk: true);
            }
            File.Move(temporary, path, overwrite: false);
            return head;
        }
        catch (IOException) when (File.Exists(path))
        {
            var anchored = Read(path);
            if (!anchored.RootHash.AsSpan().SequenceEqual(head.RootHash))
                throw new AuditAnchorException($"{path} holds another root for this size: the chain was rewritten after it was anchored");
            return anchored;
        }
        finally
        {
            File.Delete(temporary);
        }
    }

    /// <summary>The chain's anchored heads, smallest first; throws <see cref="AuditAnchorException"/> for a file that does not read.</summary>
    public IReadOnlyList<AuditTreeHead> Read(Guid chainId)
    {
        var directory = Path.Combine(Root, chainId.ToString("D"));
        if (!Directory.Exists(directory))
            return [];
        return Directory.EnumerateFiles(directory, "*" + Suffix).Select(Read).OrderBy(h => h.TreeSize).ToList();
    }

    /// <summary>Every chain with an anchored head.</summary>
    public IReadOnlyList<Guid> Chains() =>
        Directory.Exists(Root)
            ? Directory.EnumerateDirectories(Root).Select(d => Guid.TryParse(Path.GetFileName(d), out var id) ? id : (Guid?)null)
                .OfType<Guid>().Order().ToList()
            : [];

    static string PathOf(string directory, long treeSize) =>
        Path.Combine(directory, treeSize.ToString("D20", CultureInfo.InvariantCulture) + Suffix);

    static AuditTreeHead Read(string path)
    {
        try
        {
            var file = JsonSerializer.Deserialize<AnchorFile>(File.ReadAllBytes(path), Json)
                       ?? throw new JsonException("empty");
            var head = file.ToHead();
            if (Path.GetFileName(path) != Path.GetFileName(PathOf("", head.TreeSize)))
                throw new JsonException("its name is not its tree size");
            return head;
        }
        catch (Exception e) when (e is JsonException or FormatException or IOException)
        {
            throw new AuditAnchorException($"the anchor {path} does not read: {e.Message}");
        }
    }

    /// <summary>The file's JSON: the head's fields as the API shows them.</summary>
    sealed record AnchorFile(
        [property: JsonPropertyName("chain_id")] Guid ChainId,
        [property: JsonPropertyName("tree_size")] long TreeSize,
        [property: JsonPropertyName("timestamp")] long Timestamp,
        [property: JsonPropertyName("root_hash")] string RootHash,
        [property: JsonPropertyName("signature")] string Signature)
    {
        public static AnchorFile From(AuditTreeHead h) =>
            new(h.AccountId, h.TreeSize, h.Timestamp, Convert.ToBase64String(h.RootHash), Convert.ToBase64String(h.Signature));

        public AuditTreeHead ToHead() => new()
        {
            AccountId = ChainId,
            TreeSize = TreeSize,
            Timestamp = Timestamp,
            RootHash = Convert.FromBase64String(RootHash ?? throw new JsonException("no root_hash")),
            Signature = Convert.FromBase64String(Signature ?? throw new JsonException("no signature")),
        };
    }
}

/// <summary>The anchor store holds something that is not a head, or a head that contradicts the chain.</summary>
internal sealed class AuditAnchorException(string message) : Exception(message);
