using System.Buffers.Binary;
using System.Globalization;
using System.Security.Cryptography;

namespace Contacto.Crypto;

/// <summary>
/// The default KEK provider: a keyring of files under <c>{data}/keys</c> (directory 0700, files 0600).
/// <code>
///   master.key      the 256-bit master key, raw; absent when the master key is supplied instead
///   kek-v0001.key   KEK version 1: nonce (12) | AES-256-GCM(master key, 32-byte KEK) | tag (16),
///                   associated data "contacto.kek.1" | version (4 bytes, big-endian)
///   sign-NAME.key   signing key NAME: nonce (12) | AES-256-GCM(master key, PKCS#8 ECDSA P-256) | tag (16),
///                   associated data "contacto.signing-key.1" | NAME
/// </code>
/// The master key comes, in this order, from an environment variable (base64), a file, or
/// <c>master.key</c>, created on first run. Startup is refused when any key material or the
/// directory is open to group or others, or when KEK versions exist but no master key does.
/// </summary>
internal sealed class LocalKeyring : IKekProvider
{
    private const string MasterKeyFileName = "master.key";
    private const string VersionFilePrefix = "kek-v";
    private const string VersionFileSuffix = ".key";
    private const string SigningKeyPrefix = "sign-";
    private const int SealedKekSize = FieldEnvelope.NonceSize + KeyMaterial.Size + FieldEnvelope.TagSize;

    private static ReadOnlySpan<byte> KekDomain => "contacto.kek.1"u8;
    private static ReadOnlySpan<byte> SigningKeyDomain => "contacto.signing-key.1"u8;

    private readonly string _directory;
    private readonly AesGcm _master;
    private readonly Dictionary<int, AesGcm> _keks = [];
    private readonly Dictionary<string, LocalSigningKey> _signingKeys = [];
    private readonly Lock _gate = new();

    public LocalKeyring(LocalKeyringOptions options)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(options.KeysDirectory, nameof(options.KeysDirectory));
        _directory = Path.GetFullPath(options.KeysDirectory);
        KeyFiles.CreateOwnerOnlyDirectory(_directory);
        KeyFiles.RefuseIfExposed(_directory);

        Span<byte> masterKey = stackalloc byte[KeyMaterial.Size];
        try
        {
            ReadOrCreateMasterKey(options, masterKey);
            _master = new AesGcm(masterKey, FieldEnvelope.TagSize);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(masterKey);
        }

        LoadVersions();
        if (_keks.Count == 0)
        {
            AddVersion();
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
            var blob = new byte[FieldEnvelope.NonceSize + dataKey.Length + FieldEnvelope.TagSize];
            Seal(_keks[version], dataKey, context, blob);
            return new WrappedKey(version, blob);
        }
    }

    public void Unwrap(int kekVersion, ReadOnlySpan<byte> wrapped, ReadOnlySpan<byte> context, Span<byte> dataKey)
    {
        lock (_gate)
        {
            if (!_keks.ContainsKey(kekVersion))
            {
                // Another process may have rotated the KEK since this one started.
                LoadVersions();
            }
            if (!_keks.TryGetValue(kekVersion, out var kek))
            {
                throw new CryptographicException($"KEK version {kekVersion} is not in the keyring at {_directory}.");
            }
            Open(kek, wrapped, context, dataKey);
        }
    }

    public int AddVersion()
    {
        lock (_gate)
        {
            var version = _keks.Count == 0 ? 1 : _keks.Keys.Max() + 1;
            Span<byte> kek = stackalloc byte[KeyMaterial.Size];
            Span<byte> context = stackalloc byte[KekDomain.Length + 4];
            var sealedKek = new byte[SealedKekSize];
            try
            {
                RandomNumberGenerator.Fill(kek);
                Seal(_master, kek, KekContext(version, context), sealedKek);
                KeyFiles.WriteNew(VersionPath(version), sealedKek);
                _keks.Add(version, new AesGcm(kek, FieldEnvelope.TagSize));
            }
            finally
            {
                CryptographicOperations.ZeroMemory(kek);
            }
            return version;
        }
    }

    public ISigningKey SigningKey(string name)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        if (name.Any(c => !char.IsAsciiLetterOrDigit(c) && c != '-'))
        {
            throw new ArgumentException("A signing key's name is ASCII letters, digits and '-'.", nameof(name));
        }
        lock (_gate)
        {
            if (!_signingKeys.TryGetValue(name, out var key))
            {
                key = new LocalSigningKey(LoadOrCreateSigningKey(name));
                _signingKeys.Add(name, key);
            }
            return key;
        }
    }

    public void Dispose()
    {
        lock (_gate)
        {
            foreach (var key in _signingKeys.Values)
            {
                key.Dispose();
            }
            _signingKeys.Clear();
            foreach (var kek in _keks.Values)
            {
                kek.Dispose();
            }
            _keks.Clear();
            _master.Dispose();
        }
    }

    private void ReadOrCreateMasterKey(LocalKeyringOptions options, Span<byte> masterKey)
    {
        var fromEnvironment = string.IsNullOrEmpty(options.MasterKeyEnvironmentVariable)
            ? null
            : Environment.GetEnvironmentVariable(options.MasterKeyEnvironmentVariable);
        if (!string.IsNullOrEmpty(fromEnvironment))
        {
            if (!Convert.TryFromBase64String(fromEnvironment.Trim(), masterKey, out var written) || written != KeyMaterial.Size)
            {
                throw new InvalidOperationException(
                    $"The environment variable {options.MasterKeyEnvironmentVariable} must hold a 256-bit key in base64.");
            }
            return;
        }

        var path = options.MasterKeyFile is { Length: > 0 } file ? Path.GetFullPath(file) : Path.Combine(_directory, MasterKeyFileName);
        if (File.Exists(path))
        {
            KeyFiles.RefuseIfExposed(path);
            ReadMasterKeyFile(path, masterKey);
            return;
        }
        if (options.MasterKeyFile is { Length: > 0 })
        {
            throw new InvalidOperationException($"The master key file {path} does not exist.");
        }
        if (Directory.EnumerateFiles(_directory, VersionFilePrefix + "*").Any())
        {
            throw new InvalidOperationException(
                $"The keyring at {_directory} has KEK versions but no master key; supply the master key it was created with.");
        }
        RandomNumberGenerator.Fill(masterKey);
        KeyFiles.WriteNew(path, masterKey);
    }

    /// <summary>Accepts the raw 32 bytes or their base64 text, so operators can paste a key into a file.</summary>
    private static void ReadMasterKeyFile(string path, Span<byte> masterKey)
    {
        var content = File.ReadAllBytes(path);
        try
        {
            if (content.Length == KeyMaterial.Size)
            {
                content.CopyTo(masterKey);
                return;
            }
            var text = System.Text.Encoding.ASCII.GetString(content).Trim();
            if (!Convert.TryFromBase64String(text, masterKey, out var written) || written != KeyMaterial.Size)
            {
                throw new InvalidOperationException($"The master key file {path} must hold 32 raw bytes or their base64 text.");
            }
        }
        finally
        {
            CryptographicOperations.ZeroMemory(content);
        }
    }

    private void LoadVersions()
    {
        foreach (var path in Directory.EnumerateFiles(_directory, VersionFilePrefix + "*" + VersionFileSuffix))
        {
            var name = Path.GetFileName(path);
            if (!int.TryParse(name.AsSpan(VersionFilePrefix.Length, name.Length - VersionFilePrefix.Length - VersionFileSuffix.Length),
                    NumberStyles.None, CultureInfo.InvariantCulture, out var version) || _keks.ContainsKey(version))
            {
                continue;
            }
            LoadVersion(path, version);
        }
    }

    private void LoadVersion(string path, int version)
    {
        KeyFiles.RefuseIfExposed(path);
        var sealedKek = File.ReadAllBytes(path);
        Span<byte> kek = stackalloc byte[KeyMaterial.Size];
        Span<byte> context = stackalloc byte[KekDomain.Length + 4];
        try
        {
            if (sealedKek.Length != SealedKekSize)
            {
                throw new CryptographicException($"{path} is not a sealed KEK.");
            }
            Open(_master, sealedKek, KekContext(version, context), kek);
            _keks.Add(version, new AesGcm(kek, FieldEnvelope.TagSize));
        }
        catch (AuthenticationTagMismatchException)
        {
            throw new CryptographicException($"{path} does not open with this master key; is it the master key the keyring was created with?");
        }
        finally
        {
            CryptographicOperations.ZeroMemory(kek);
        }
    }

    /// <summary>Another process (the CLI beside the server) may create the same key at once: the loser reads the winner's.</summary>
    private ECDsa LoadOrCreateSigningKey(string name)
    {
        var path = Path.Combine(_directory, SigningKeyPrefix + name + VersionFileSuffix);
        var context = SigningKeyDomain.ToArray().Concat(System.Text.Encoding.ASCII.GetBytes(name)).ToArray();
        if (!File.Exists(path))
        {
            using var created = ECDsa.Create(ECCurve.NamedCurves.nistP256);
            var pkcs8 = created.ExportPkcs8PrivateKey();
            try
            {
                var blob = new byte[FieldEnvelope.NonceSize + pkcs8.Length + FieldEnvelope.TagSize];
                Seal(_master, pkcs8, context, blob);
                KeyFiles.WriteNew(path, blob);
            }
            catch (IOException) when (File.Exists(path))
            {
            }
            finally
            {
                CryptographicOperations.ZeroMemory(pkcs8);
            }
        }
        KeyFiles.RefuseIfExposed(path);
        var sealedKey = File.ReadAllBytes(path);
        var plaintext = new byte[Math.Max(0, sealedKey.Length - FieldEnvelope.NonceSize - FieldEnvelope.TagSize)];
        try
        {
            Open(_master, sealedKey, context, plaintext);
            var key = ECDsa.Create();
            key.ImportPkcs8PrivateKey(plaintext, out _);
            return key;
        }
        catch (AuthenticationTagMismatchException)
        {
            throw new CryptographicException($"{path} does not open with this master key; is it the master key the keyring was created with?");
        }
        finally
        {
            CryptographicOperations.ZeroMemory(plaintext);
        }
    }

    private static ReadOnlySpan<byte> KekContext(int version, Span<byte> context)
    {
        KekDomain.CopyTo(context);
        BinaryPrimitives.WriteInt32BigEndian(context[KekDomain.Length..], version);
        return context;
    }

    /// <summary>nonce | ciphertext | tag, the same shape for KEKs under the master key and data keys under a KEK.</summary>
    private static void Seal(AesGcm key, ReadOnlySpan<byte> plaintext, ReadOnlySpan<byte> context, Span<byte> blob)
    {
        var nonce = blob[..FieldEnvelope.NonceSize];
        RandomNumberGenerator.Fill(nonce);
        key.Encrypt(nonce, plaintext, blob.Slice(FieldEnvelope.NonceSize, plaintext.Length), blob[^FieldEnvelope.TagSize..], context);
    }

    private static void Open(AesGcm key, ReadOnlySpan<byte> blob, ReadOnlySpan<byte> context, Span<byte> plaintext)
    {
        var length = blob.Length - FieldEnvelope.NonceSize - FieldEnvelope.TagSize;
        if (length != plaintext.Length)
        {
            throw new CryptographicException("The wrapped key has the wrong length.");
        }
        key.Decrypt(blob[..FieldEnvelope.NonceSize], blob.Slice(FieldEnvelope.NonceSize, length), blob[^FieldEnvelope.TagSize..], plaintext, context);
    }

    private string VersionPath(int version) =>
        Path.Combine(_directory, string.Create(CultureInfo.InvariantCulture, $"{VersionFilePrefix}{version:D4}{VersionFileSuffix}"));
}

internal sealed class LocalSigningKey(ECDsa key) : ISigningKey, IDisposable
{
    private readonly Lock _gate = new();

    public byte[] PublicKey { get; } = key.ExportSubjectPublicKeyInfo();

    public byte[] Sign(ReadOnlySpan<byte> data)
    {
        lock (_gate)
        {
            return key.SignData(data, HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation);
        }
    }

    public void Dispose()
    {
        lock (_gate)
        {
            key.Dispose();
        }
    }
}

internal sealed class LocalKeyringOptions
{
    /// <summary>Defaults to <c>{data}/keys</c>.</summary>
    public string? KeysDirectory { get; set; }

    /// <summary>A file holding the master key instead of <c>{keys}/master.key</c> (mode 0600 required).</summary>
    public string? MasterKeyFile { get; set; }

    /// <summary>Name of an environment variable holding the base64 master key; it wins over any file.</summary>
    public string? MasterKeyEnvironmentVariable { get; set; } = "CONTACTO_MASTER_KEY";
}
