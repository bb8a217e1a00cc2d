using System.Globalization;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using Net.Pkcs11Interop.Common;
using Net.Pkcs11Interop.HighLevelAPI;

namespace Contacto.Crypto;

/// <summary>
/// KEK provider on a PKCS#11 token (an HSM; SoftHSM2 in tests). Each KEK version is an AES-256
/// secret key generated on the token as sensitive and non-extractable, labelled
/// <c>{prefix}-v{version}</c>. Wrap and unwrap are CKM_AES_GCM encrypt and decrypt on the token:
/// blob = IV (12, random) | ciphertext | tag (16), the context as associated data. Signing keys
/// are ECDSA P-256 key pairs generated on the token, the private half sensitive and
/// non-extractable, labelled <c>{prefix}-sign-{name}</c>; the token signs (CKM_ECDSA) the SHA-256
/// digest computed here.
/// </summary>
internal sealed class Pkcs11Kek : IKekProvider
{
    private const int TagBits = 128;

    // DER of the OID 1.2.840.10045.3.1.7 (prime256v1, NIST P-256).
    private static readonly byte[] P256Parameters = [0x06, 0x08, 0x2A, 0x86, 0x48, 0xCE, 0x3D, 0x03, 0x01, 0x07];

    private readonly Pkcs11InteropFactories _factories = new();
    private readonly IPkcs11Library _library;
    private readonly ISession _session;
    private readonly string _labelPrefix;
    private readonly Dictionary<int, IObjectHandle> _keks = [];
    private readonly Dictionary<string, Pkcs11SigningKey> _signingKeys = [];
    // A PKCS#11 session serves one call at a time; unwraps are rare thanks to the key cache.
    private readonly Lock _gate = new();

    static Pkcs11Kek()
    {
        // Pkcs11Interop imports dlopen from "libdl", which current glibc systems only ship as
        // libdl.so.2 (libdl.so comes with the C headers); its maintainer's advice is this mapping.
        NativeLibrary.SetDllImportResolver(typeof(IPkcs11Library).Assembly, (name, assembly, searchPath) =>
            name == "libdl" && OperatingSystem.IsLinux() && NativeLibrary.TryLoad("libdl.so.2", out var handle)
                ? handle
                : IntPtr.Zero);
    }

    public Pkcs11Kek(Pkcs11Options options, ReadOnlySpan<byte> pin)
    {
        _labelPrefix = options.KeyLabelPrefix;
        _library = _factories.Pkcs11LibraryFactory.LoadPkcs11Library(_factories, options.ModulePath, AppType.MultiThreaded);
        try
        {
            var slot = FindSlot(options);
            _session = slot.OpenSession(SessionType.ReadWrite);
            var pinCopy = pin.ToArray();
            try
            {
                _session.Login(CKU.CKU_USER, pinCopy);
            }
            finally
            {
                CryptographicOperations.ZeroMemory(pinCopy);
            }
            LoadVersions();
            if (_keks.Count == 0)
            {
                AddVersion();
            }
        }
        catch
        {
            _session?.Dispose();
            _library.Dispose();
            throw;
        }
    }

    public int CurrentVersion
    {
        get
        {
            lock (_gate)
            {
                return _keks.Keys.Max();
            }
        }
    }

    public WrappedKey Wrap(ReadOnlySpan<byte> dataKey, ReadOnlySpan<byte> context)
    {
        lock (_gate)
        {
            var version = _keks.Keys.Max();
            var iv = RandomNumberGenerator.GetBytes(FieldEnvelope.NonceSize);
            var plaintext = dataKey.ToArray();
            try
            {
                using var parameters = _factories.MechanismParamsFactory.CreateCkGcmParams(iv, (ulong)iv.Length * 8, context.ToArray(), TagBits);
                using var mechanism = _factories.MechanismFactory.Create(CKM.CKM_AES_GCM, parameters);
                var sealedKey = _session.Encrypt(mechanism, _keks[version], plaintext);
                return new WrappedKey(version, [.. iv, .. sealedKey]);
            }
            finally
            {
                CryptographicOperations.ZeroMemory(plaintext);
            }
        }
    }

    public void Unwrap(int kekVersion, ReadOnlySpan<byte> wrapped, ReadOnlySpan<byte> context, Span<byte> dataKey)
    {
        lock (_gate)
        {
            if (!_keks.ContainsKey(kekVersion))
            {
                // Another node may have rotated the KEK since this one started.
                LoadVersions();
            }
            if (!_keks.TryGetValue(kekVersion, out var kek))
            {
                throw new CryptographicException($"KEK version {kekVersion} is not on the PKCS#11 token.");
            }
            if (wrapped.Length != FieldEnvelope.NonceSize + dataKey.Length + FieldEnvelope.TagSize)
            {
                throw new CryptographicException("The wrapped key has the wrong length.");
            }
            byte[] plaintext;
            try
            {
                using var parameters = _factories.MechanismParamsFactory.CreateCkGcmParams(
                    wrapped[..FieldEnvelope.NonceSize].ToArray(), FieldEnvelope.NonceSize * 8, context.ToArray(), TagBits);
                using var mechanism = _factories.MechanismFactory.Create(CKM.CKM_AES_GCM, parameters);
                plaintext = _session.Decrypt(mechanism, kek, wrapped[FieldEnvelope.NonceSize..].ToArray());
            }
            catch (Pkcs11Exception exception)
            {
                // Tokens differ in how they report a failed tag (SoftHSM2 says CKR_GENERAL_ERROR).
                throw new CryptographicException(
                    $"The PKCS#11 token refused to unwrap the key ({exception.RV}): the wrapped key or its context does not match.", exception);
            }
            try
            {
                plaintext.CopyTo(dataKey);
            }
            finally
            {
                CryptographicOperations.ZeroMemory(plaintext);
            }
        }
    }

    public int AddVersion()
    {
        lock (_gate)
        {
            var version = _keks.Count == 0 ? 1 : _keks.Keys.Max() + 1;
            var attributes = _factories.ObjectAttributeFactory;
            using var mechanism = _factories.MechanismFactory.Create(CKM.CKM_AES_KEY_GEN);
            _keks.Add(version, _session.GenerateKey(mechanism,
            [
                attributes.Create(CKA.CKA_CLASS, CKO.CKO_SECRET_KEY),
                attributes.Create(CKA.CKA_KEY_TYPE, CKK.CKK_AES),
                attributes.Create(CKA.CKA_VALUE_LEN, (ulong)KeyMaterial.Size),
                attributes.Create(CKA.CKA_LABEL, Label(version)),
                attributes.Create(CKA.CKA_TOKEN, true),
                attributes.Create(CKA.CKA_PRIVATE, true),
                attributes.Create(CKA.CKA_SENSITIVE, true),
                attributes.Create(CKA.CKA_EXTRACTABLE, false),
                attributes.Create(CKA.CKA_ENCRYPT, true),
                attributes.Create(CKA.CKA_DECRYPT, true),
            ]));
            return version;
        }
    }

    public ISigningKey SigningKey(string name)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        lock (_gate)
        {
            if (!_signingKeys.TryGetValue(name, out var key))
            {
                var label = $"{_labelPrefix}-sign-{name}";
                var (privateKey, publicKey) = FindSigningKey(label) ?? GenerateSigningKey(label);
                key = new Pkcs11SigningKey(this, privateKey, SubjectPublicKeyInfo(publicKey));
                _signingKeys.Add(name, key);
            }
            return key;
        }
    }

    private byte[] Sign(IObjectHandle privateKey, ReadOnlySpan<byte> data)
    {
        var digest = SHA256.HashData(data);
        lock (_gate)
        {
            using var mechanism = _factories.MechanismFactory.Create(CKM.CKM_ECDSA);
            return _session.Sign(mechanism, privateKey, digest);
        }
    }

    private (IObjectHandle Private, IObjectHandle Public)? FindSigningKey(string label)
    {
        var attributes = _factories.ObjectAttributeFactory;
        var privateKey = _session.FindAllObjects([attributes.Create(CKA.CKA_CLASS, CKO.CKO_PRIVATE_KEY), attributes.Create(CKA.CKA_LABEL, label)]).FirstOrDefault();
        var publicKey = _session.FindAllObjects([attributes.Create(CKA.CKA_CLASS, CKO.CKO_PUBLIC_KEY), attributes.Create(CKA.CKA_LABEL, label)]).FirstOrDefault();
        return privateKey is null || publicKey is null ? null : (privateKey, publicKey);
    }

    private (IObjectHandle Private, IObjectHandle Public) GenerateSigningKey(string label)
    {
        var attributes = _factories.ObjectAttributeFactory;
        using var mechanism = _factories.MechanismFactory.Create(CKM.CKM_EC_KEY_PAIR_GEN);
        _session.GenerateKeyPair(mechanism,
            [
                attributes.Create(CKA.CKA_TOKEN, true),
                attributes.Create(CKA.CKA_EC_PARAMS, P256Parameters),
                attributes.Create(CKA.CKA_VERIFY, true),
                attributes.Create(CKA.CKA_LABEL, label),
            ],
            [
                attributes.Create(CKA.CKA_TOKEN, true),
                attributes.Create(CKA.CKA_PRIVATE, true),
                attributes.Create(CKA.CKA_SENSITIVE, true),
                attributes.Create(CKA.CKA_EXTRACTABLE, false),
                attributes.Create(CKA.CKA_SIGN, true),
                attributes.Create(CKA.CKA_LABEL, label),
            ],
            out var publicKey, out var privateKey);
        return (privateKey, publicKey);
    }

    /// <summary>CKA_EC_POINT is the uncompressed point, DER-wrapped in an OCTET STRING by most tokens (raw by some).</summary>
    private byte[] SubjectPublicKeyInfo(IObjectHandle publicKey)
    {
        var point = _session.GetAttributeValue(publicKey, [CKA.CKA_EC_POINT])[0].GetValueAsByteArray();
        if (point.Length == 67 && point[0] == 0x04 && point[1] == 65)
        {
            point = point[2..];
        }
        if (point.Length != 65 || point[0] != 0x04)
        {
            throw new CryptographicException("The token's signing key is not an uncompressed P-256 point.");
        }
        using var key = ECDsa.Create(new ECParameters { Curve = ECCurve.NamedCurves.nistP256, Q = new ECPoint { X = point[1..33], Y = point[33..] } });
        return key.ExportSubjectPublicKeyInfo();
    }

    private sealed class Pkcs11SigningKey(Pkcs11Kek token, IObjectHandle privateKey, byte[] publicKey) : ISigningKey
    {
        public byte[] PublicKey => publicKey;

        public byte[] Sign(ReadOnlySpan<byte> data) => token.Sign(privateKey, data);
    }

    public void Dispose()
    {
        lock (_gate)
        {
            _session.Logout();
            _session.Dispose();
            _library.Dispose();
        }
    }

    /// <summary>The slot with the configured id, or the token with the configured label; both must agree when both are set.</summary>
    private ISlot FindSlot(Pkcs11Options options)
    {
        var slots = _library.GetSlotList(SlotsType.WithTokenPresent);
        var found = slots.FirstOrDefault(s =>
            (options.SlotId is not { } id || s.SlotId == id)
            && (string.IsNullOrEmpty(options.TokenLabel) || s.GetTokenInfo().Label.Trim() == options.TokenLabel));
        return found ?? throw new InvalidOperationException(
            $"No PKCS#11 token{(options.SlotId is { } slot ? $" in slot {slot}" : "")}" +
            $"{(string.IsNullOrEmpty(options.TokenLabel) ? "" : $" labelled '{options.TokenLabel}'")} in {options.ModulePath}.");
    }

    private string Label(int version) => string.Create(CultureInfo.InvariantCulture, $"{_labelPrefix}-v{version}");

    private void LoadVersions()
    {
        var attributes = _factories.ObjectAttributeFactory;
        var handles = _session.FindAllObjects(
        [
            attributes.Create(CKA.CKA_CLASS, CKO.CKO_SECRET_KEY),
            attributes.Create(CKA.CKA_KEY_TYPE, CKK.CKK_AES),
        ]);
        var prefix = _labelPrefix + "-v";
        foreach (var handle in handles)
        {
            var label = _session.GetAttributeValue(handle, [CKA.CKA_LABEL])[0].GetValueAsString();
            if (label is not null && label.StartsWith(prefix, StringComparison.Ordinal)
                && int.TryParse(label.AsSpan(prefix.Length), NumberStyles.None, CultureInfo.InvariantCulture, out var version))
            {
                _keks.TryAdd(version, handle);
            }
        }
    }
}
