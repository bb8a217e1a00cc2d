using System.Buffers.Binary;
using System.Text;
using Contacto.Crypto;

namespace Contacto.Audit;

/// <summary>
/// The audit trail's keyed MACs, computed by the key service with the platform's audit key (a
/// reserved tenant of its own, so tenants' keys and their shredding never touch it).
/// Link MAC = MAC("audit.chain", canonical record | previous link's MAC).
/// Checkpoint signature = MAC("audit.checkpoint", chain | sequence | link MAC | signed-at).
/// </summary>
public sealed class AuditMac(ITenantCrypto crypto)
{
    public const int Size = BlindIndex.Size;

    /// <summary>Owner of the platform audit key in the key store; never an account.</summary>
    public static readonly Guid KeyOwner = new("00000000-0000-7000-8000-00000000a0d1");

    const string ChainPurpose = "audit.chain";
    const string CheckpointPurpose = "audit.checkpoint";
    static ReadOnlySpan<byte> FormatTag => "contacto.audit.1"u8;

    public ValueTask<TenantKeyLease> LeaseAsync(CancellationToken cancellationToken) => crypto.LeaseKeysAsync(KeyOwner, cancellationToken);

    public static byte[] Link(TenantKeyLease key, AuditRecord record, ReadOnlySpan<byte> previous)
    {
        var canonical = Canonical(record, previous);
        var mac = new byte[Size];
        key.ComputeBlindIndex(ChainPurpose, canonical, mac);
        return mac;
    }

    public static byte[] Checkpoint(TenantKeyLease key, Guid chainId, long sequence, ReadOnlySpan<byte> linkMac, DateTimeOffset signedAt)
    {
        Span<byte> input = stackalloc byte[16 + 8 + Size + 8];
        chainId.TryWriteBytes(input);
        BinaryPrimitives.WriteInt64BigEndian(input[16..], sequence);
        linkMac.CopyTo(input[24..]);
        BinaryPrimitives.WriteInt64BigEndian(input[(24 + Size)..], signedAt.ToUnixTimeMilliseconds());
        var signature = new byte[Size];
        key.ComputeBlindIndex(CheckpointPurpose, input, signature);
        return signature;
    }

    /// <summary>Every field in a fixed order, strings length-prefixed (-1 for null), then the previous MAC.</summary>
    static byte[] Canonical(AuditRecord r, ReadOnlySpan<byte> previous)
    {
        using var buffer = new MemoryStream(256);
        using var writer = new BinaryWriter(buffer, Encoding.UTF8);
        writer.Write(FormatTag);
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
