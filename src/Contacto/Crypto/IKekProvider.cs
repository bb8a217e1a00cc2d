namespace Contacto.Crypto;

/// <summary>
/// Holds the key-encryption keys (KEKs) and wraps tenant keys with them, and the platform's
/// signing keys. Key material never leaves the provider: callers only see wrapped blobs, the data
/// keys they asked to unwrap, signatures and public keys.
/// </summary>
public interface IKekProvider : IDisposable
{
    /// <summary>The KEK version new wraps use.</summary>
    int CurrentVersion { get; }

    /// <summary>Wraps under the current KEK version; <paramref name="context"/> is authenticated
    /// with the blob, so it only unwraps for the same tenant, kind and version.</summary>
    WrappedKey Wrap(ReadOnlySpan<byte> dataKey, ReadOnlySpan<byte> context);

    void Unwrap(int kekVersion, ReadOnlySpan<byte> wrapped, ReadOnlySpan<byte> context, Span<byte> dataKey);

    /// <summary>Creates a new KEK version and makes it current; older versions still unwrap.</summary>
    int AddVersion();

    /// <summary>
    /// The named ECDSA P-256 signing key, created on first use. It lives with the provider (the
    /// keyring's directory or the token), never in the database, so whoever holds only the
    /// database cannot sign.
    /// </summary>
    ISigningKey SigningKey(string name);
}

/// <summary>Signs with a private key that stays inside its provider.</summary>
public interface ISigningKey
{
    /// <summary>The public key as a DER SubjectPublicKeyInfo.</summary>
    byte[] PublicKey { get; }

    /// <summary>ECDSA P-256 with SHA-256 over <paramref name="data"/>: r | s, 32 bytes each (IEEE P1363).</summary>
    byte[] Sign(ReadOnlySpan<byte> data);
}

public readonly record struct WrappedKey(int KekVersion, byte[] Blob);
