using System.Collections.Concurrent;
using System.Security.Cryptography;

namespace Contacto.Crypto;

/// <summary>An unwrapped 256-bit key in pinned memory (the GC never leaves copies behind), wiped on destroy.</summary>
internal abstract class KeyMaterial
{
    public const int Size = 32;

    private readonly byte[] _material = GC.AllocateUninitializedArray<byte>(Size, pinned: true);
    private int _destroyed;

    protected KeyMaterial(int version, ReadOnlySpan<byte> material)
    {
        if (material.Length != Size)
        {
            throw new ArgumentException($"A tenant key is {Size} bytes.", nameof(material));
        }
        Version = version;
        material.CopyTo(_material);
    }

    public int Version { get; }

    internal bool IsWiped => _material.AsSpan().IndexOfAnyExcept((byte)0) < 0;

    protected ReadOnlySpan<byte> Material
    {
        get
        {
            ObjectDisposedException.ThrowIf(Volatile.Read(ref _destroyed) != 0, this);
            return _material;
        }
    }

    public void Destroy()
    {
        if (Interlocked.Exchange(ref _destroyed, 1) == 0)
        {
            OnDestroy();
            CryptographicOperations.ZeroMemory(_material);
        }
    }

    protected virtual void OnDestroy()
    {
    }
}

/// <summary>A tenant encryption key version with a small pool of AesGcm instances (which are not thread-safe).</summary>
internal sealed class DataKey(int version, ReadOnlySpan<byte> material) : KeyMaterial(version, material)
{
    private readonly ConcurrentBag<AesGcm> _ciphers = [];

    public AesGcm RentCipher() => _ciphers.TryTake(out var cipher) ? cipher : new AesGcm(Material, FieldEnvelope.TagSize);

    public void ReturnCipher(AesGcm cipher) => _ciphers.Add(cipher);

    /// <summary>A key for one object only, so stream nonces never repeat across objects.</summary>
    public void DeriveObjectKey(ReadOnlySpan<byte> salt, ReadOnlySpan<byte> info, Span<byte> objectKey) =>
        HKDF.DeriveKey(HashAlgorithmName.SHA256, Material, objectKey, salt, info);

    protected override void OnDestroy()
    {
        while (_ciphers.TryTake(out var cipher))
        {
            cipher.Dispose();
        }
    }
}

/// <summary>A tenant's blind-index key: only ever used for HMAC-SHA256.</summary>
internal sealed class BlindIndexKey(int version, ReadOnlySpan<byte> material) : KeyMaterial(version, material)
{
    public void Mac(ReadOnlySpan<byte> data, Span<byte> mac) => HMACSHA256.HashData(Material, data, mac);
}
