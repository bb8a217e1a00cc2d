using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Contacto.Crypto;
using Contacto.Tenancy;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Contacto.Audit;

/// <summary>
/// A signed tree head, as a transparency log's (RFC 9162): the size of an account's Merkle tree,
/// its root hash and the time, signed by the platform's head key. The database keeps a copy to
/// serve; the original is the file in the anchor store (<see cref="AuditAnchors"/>).
/// </summary>
public sealed class AuditTreeHead : ITenantOwned
{
    public Guid AccountId { get; set; }
    public long TreeSize { get; set; }

    /// <summary>Milliseconds since the Unix epoch, as RFC 9162's timestamps.</summary>
    public long Timestamp { get; set; }

    public byte[] RootHash { get; set; } = [];
    public byte[] Signature { get; set; } = [];

    /// <summary>
    /// What is signed, UTF-8, each line ending in LF: <c>contacto.audit.tree-head.1</c>, the chain id
    /// (the account's id, lower-case with hyphens), the tree size, the timestamp, the root hash in base64.
    /// </summary>
    public byte[] SignedData() => Encoding.UTF8.GetBytes(string.Create(CultureInfo.InvariantCulture,
        $"contacto.audit.tree-head.1\n{AccountId:D}\n{TreeSize}\n{Timestamp}\n{Convert.ToBase64String(RootHash)}\n"));

    public bool SameAs(AuditTreeHead other) =>
        other.AccountId == AccountId && other.TreeSize == TreeSize && other.Timestamp == Timestamp
        && other.RootHash.AsSpan().SequenceEqual(RootHash) && other.Signature.AsSpan().SequenceEqual(Signature);
}

sealed class AuditTreeHeadConfiguration : IEntityTypeConfiguration<AuditTreeHead>
{
    public void Configure(EntityTypeBuilder<AuditTreeHead> builder)
    {
        builder.ToTable("audit_tree_heads");
        builder.HasKey(h => new { h.AccountId, h.TreeSize });
        builder.Property(h => h.AccountId).HasColumnName("chain_id");
        builder.Property(h => h.TreeSize).HasColumnName("tree_size");
        builder.Property(h => h.Timestamp).HasColumnName("timestamp");
        builder.Property(h => h.RootHash).HasColumnName("root_hash").HasMaxLength(MerkleTree.HashSize);
        builder.Property(h => h.Signature).HasColumnName("signature").HasMaxLength(AuditHeadKey.SignatureSize);
    }
}

/// <summary>
/// The key that signs tree heads: ECDSA P-256 with SHA-256, held by the key provider (the local
/// keyring's directory or the PKCS#11 token), never by the database. Its public key is published
/// with every head, so anyone can check one.
/// </summary>
public sealed class AuditHeadKey
{
    public const int SignatureSize = 64;
    public const string Algorithm = "ecdsa-p256-sha256";
    const string KeyName = "audit-heads";

    readonly Lazy<ISigningKey> key;
    readonly Lazy<ECDsa> verifier;

    public AuditHeadKey(IKekProvider provider)
    {
        key = new(() => provider.SigningKey(KeyName));
        verifier = new(() =>
        {
            var ecdsa = ECDsa.Create();
            ecdsa.ImportSubjectPublicKeyInfo(key.Value.PublicKey, out _);
            return ecdsa;
        });
    }

    /// <summary>DER SubjectPublicKeyInfo.</summary>
    public byte[] PublicKey => key.Value.PublicKey;

    public string PublicKeyPem => PemEncoding.WriteString("PUBLIC KEY", PublicKey);

    /// <summary>Lower-case hex SHA-256 of the public key.</summary>
    public string KeyId => Convert.ToHexStringLower(SHA256.HashData(PublicKey));

    public AuditTreeHead Sign(Guid chainId, long treeSize, DateTimeOffset at, byte[] rootHash)
    {
        var head = new AuditTreeHead { AccountId = chainId, TreeSize = treeSize, Timestamp = at.ToUnixTimeMilliseconds(), RootHash = rootHash };
        head.Signature = key.Value.Sign(head.SignedData());
        return head;
    }

    public bool Verify(AuditTreeHead head)
    {
        lock (verifier)
            return head.Signature.Length == SignatureSize
                && verifier.Value.VerifyData(head.SignedData(), head.Signature, HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation);
    }
}
