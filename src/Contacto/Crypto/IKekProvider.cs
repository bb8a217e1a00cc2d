namespace Contacto.Crypto;

/// <summary>
/// Holds the key-encryption keys (KEKs) and wraps tenant keys with them. KEK material never
/// leaves the provider: callers only see wrapped blobs and the data keys they asked to unwrap.
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
}

public readonly record struct WrappedKey(int KekVersion, byte[] Blob);
