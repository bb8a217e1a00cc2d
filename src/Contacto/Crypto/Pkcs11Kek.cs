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
/// blob = IV (12, random) | ciphertext | tag (16), the context as associated data.
/// </summary>
public sealed class Pkcs11Kek : IKekProvider
{
    private const int TagBits = 128;

    private readonly Pkcs11InteropFactories _factories = new();
    private readonly IPkcs11Library _library;
    private readonly ISession _session;
    private readonly string _labelPrefix;
    private readonly Dictionary<int, IObjectHandle> _keks = [];
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

    public Pkcs11Kek(string modulePath, string tokenLabel, ReadOnlySpan<byte> pin, string labelPrefix)
    {
        _labelPrefix = labelPrefix;
        _library = _factories.Pkcs11LibraryFactory.LoadPkcs11Library(_factories, modulePath, AppType.MultiThreaded);
        try
        {
            var slot = _library.GetSlotList(SlotsType.WithTokenPresent)
                .FirstOrDefault(s => s.GetTokenInfo().Label.Trim() == tokenLabel)
                ?? throw new InvalidOperationException($"No PKCS#11 token labelled '{tokenLabel}' in {modulePath}.");
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

    public void Dispose()
    {
        lock (_gate)
        {
            _session.Logout();
            _session.Dispose();
            _library.Dispose();
        }
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
