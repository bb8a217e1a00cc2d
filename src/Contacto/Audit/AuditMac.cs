using System.Buffers.Binary;
using System.Text;
using Contacto.Crypto;

namespace Contacto.Audit;

/// <summary>
/// The audit trail's keyed MACs, computed by the key service with the platform's audit key (a
/// reserved tenant of its own, so tenants' keys and their shredding never touch it).
/// Link MAC = MAC("audit.chain", canonical record | previous link's MAC). The Merkle tree's leaf
/// for a record is its canonical form under a tag of its own, without the MAC (see <see cref="LeafInput"/>).
/// </summary>
public sealed class AuditMac(ITenantCrypto crypto)
{
    public const int Size = BlindIndex.Size;

    /// <summary>Owner of the platform audit key in the key store; never an account.</summary>
    public static readonly Guid KeyOwner = new("00000000-0000-7000-8000-00000000a0d1");

    const string ChainPurpose = "audit.chain";
    static ReadOnlySpan<byte> FormatTag => "contacto.audit.1"u8;
    static ReadOnlySpan<byte> LeafTag => "contacto.audit.leaf.1"u8;

    public ValueTask<TenantKeyLease> LeaseAsync(CancellationToken cancellationToken) => crypto.LeaseKeysAsync(KeyOwner, cancellationToken);

    public static byte[] Link(TenantKeyLease key, AuditRecord record, ReadOnlySpan<byte> previous)
    {
        var canonical = Canonical(FormatTag, record, previous);
        var mac = new byte[Size];
        key.ComputeBlindIndex(ChainPurpose, canonical, mac);
        return mac;
    }

    /// <summary>
    /// The entry a record is in the account's Merkle tree: "contacto.audit.leaf.1", then the
    /// fields as the link MAC covers them, without the previous MAC. Anyone can recompute its
    /// hash from the record; the chain key is not needed.
    /// </summary>
    public static byte[] LeafInput(AuditRecord record) => Canonical(LeafTag, record, []);

    /// <summary>
    /// The tag, then every field in a fixed order (integers little-endian: chain id and record id
    /// as .NET writes a Guid, sequence, time in Unix milliseconds, actor kind; strings as a 4-byte
    /// length then UTF-8, -1 for null; outcome), then <paramref name="previous"/>.
    /// </summary>
    static byte[] Canonical(ReadOnlySpan<byte> tag, AuditRecord r, ReadOnlySpan<byte> previous)
    {
        using var buffer = new MemoryStream(256);
        using var writer = new BinaryWriter(buffer, Encoding.UTF8);
        writer.Write(tag);
        writer.Write(r.AccountId.ToByteArray());
        writer.Write(r.Sequence);
        writer.Write(r.Id.ToByteArray());
        writer.Write(r.OccurredAt.ToUnixTimeMilliseconds());
        writer.Write((int)r.ActorKind);
        foreach (var text in new[] { r.ActorId, r.ActorAuthId, r.SourceAddress, r.UserAgent, r.Action, r.ResourceType, r.ResourceId, r.Reason, r.RequestId })
        {
            if (text is null)
            {
                writer.Write(-1);
                continue;
            }
            var bytes = Encoding.UTF8.GetBytes(text);
            writer.Write(bytes.Length);
            writer.Write(bytes);
        }
        writer.Write((int)r.Outcome);
        writer.Write(previous);
        writer.Flush();
        return buffer.ToArray();
    }
}
