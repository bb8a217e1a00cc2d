using System.Security.Cryptography;
using Contacto.Crypto;
using Contacto.Testing;

namespace Contacto.Tests.Crypto;

public sealed class LocalKeyringTests : IDisposable
{
    private static readonly byte[] Context = "tenant-key-context"u8.ToArray();

    private readonly TempDirectory _directory = new();
    private readonly string _keys;

    public LocalKeyringTests() => _keys = _directory.Combine("keys");

    public void Dispose() => _directory.Dispose();

    [Fact]
    public void First_run_creates_an_owner_only_master_key_and_kek_version_1()
    {
        using var keyring = Open();

        Assert.Equal(1, keyring.CurrentVersion);
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(_keys));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(Path.Combine(_keys, "master.key")));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(Path.Combine(_keys, "kek-v0001.key")));
        Assert.Equal(32, new FileInfo(Path.Combine(_keys, "master.key")).Length);
    }

    [Fact]
    public void Signing_key_is_sealed_under_the_master_key_and_kept_across_restarts()
    {
        byte[] publicKey, signature;
        using (var keyring = Open())
        {
            var key = keyring.SigningKey("test-heads");
            publicKey = key.PublicKey;
            signature = key.Sign("signed head"u8);
        }

        using var restarted = Open();
        Assert.Equal(publicKey, restarted.SigningKey("test-heads").PublicKey);
        using var verifier = ECDsa.Create();
        verifier.ImportSubjectPublicKeyInfo(publicKey, out _);
        Assert.True(verifier.VerifyData("signed head"u8, signature, HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation));
        var file = Path.Combine(_keys, "sign-test-heads.key");
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(file));
        // Sealed: the file is no PKCS#8 structure (which starts with a DER SEQUENCE, 0x30).
        Assert.Throws<CryptographicException>(() => ECDsa.Create().ImportPkcs8PrivateKey(File.ReadAllBytes(file), out _));
    }

    [Fact]
    public void Wrapped_key_unwraps_after_a_restart_with_the_same_context_only()
    {
        var dataKey = RandomNumberGenerator.GetBytes(32);
        WrappedKey wrapped;
        using (var keyring = Open())
        {
            wrapped = keyring.Wrap(dataKey, Context);
        }

        using var restarted = Open();
        var unwrapped = new byte[32];
        restarted.Unwrap(wrapped.KekVersion, wrapped.Blob, Context, unwrapped);

        Assert.Equal(dataKey, unwrapped);
        Assert.ThrowsAny<CryptographicException>(() => restarted.Unwrap(wrapped.KekVersion, wrapped.Blob, "other"u8, unwrapped));
    }

    [Fact]
    public void New_kek_version_wraps_new_keys_while_the_old_version_still_unwraps()
    {
        using var keyring = Open();
        var dataKey = RandomNumberGenerator.GetBytes(32);
        var underV1 = keyring.Wrap(dataKey, Context);

        Assert.Equal(2, keyring.AddVersion());
        var underV2 = keyring.Wrap(dataKey, Context);

        Assert.Equal(1, underV1.KekVersion);
        Assert.Equal(2, underV2.KekVersion);
        var unwrapped = new byte[32];
        keyring.Unwrap(1, underV1.Blob, Context, unwrapped);
        Assert.Equal(dataKey, unwrapped);
        Assert.ThrowsAny<CryptographicException>(() => keyring.Unwrap(2, underV1.Blob, Context, unwrapped));
    }

    [Fact]
    public void Version_added_by_another_process_is_found_on_unwrap()
    {
        using var first = Open();
        using var second = Open();
        second.AddVersion();
        var wrapped = second.Wrap(RandomNumberGenerator.GetBytes(32), Context);

        first.Unwrap(wrapped.KekVersion, wrapped.Blob, Context, new byte[32]);

        Assert.Equal(2, first.CurrentVersion);
    }

    [Theory]
    [InlineData("master.key", UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead)]
    [InlineData("kek-v0001.key", UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.OtherRead)]
    [InlineData("", UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute | UnixFileMode.GroupExecute)]
    public void Refuses_to_start_when_key_material_is_open_to_group_or_others(string file, UnixFileMode mode)
    {
        Open().Dispose();
        var path = Path.Combine(_keys, file);
        File.SetUnixFileMode(path, mode);

        var error = Assert.Throws<InvalidOperationException>(Open);

        Assert.Contains(Path.TrimEndingDirectorySeparator(path), error.Message);
        Assert.Contains("group or others", error.Message);
    }

    [Fact]
    public void Master_key_from_the_environment_is_used_and_never_written()
    {
        var variable = "CONTACTO_TEST_MASTER_KEY_" + Guid.NewGuid().ToString("N");
        Environment.SetEnvironmentVariable(variable, Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)));
        try
        {
            var wrapped = UseAndWrap(variable);

            Assert.False(File.Exists(Path.Combine(_keys, "master.key")));
            using var again = Open(environmentVariable: variable);
            again.Unwrap(wrapped.KekVersion, wrapped.Blob, Context, new byte[32]);
            Environment.SetEnvironmentVariable(variable, Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)));
            var wrongKey = Assert.Throws<CryptographicException>(() => Open(environmentVariable: variable));
            Assert.Contains("does not open with this master key", wrongKey.Message);
        }
        finally
        {
            Environment.SetEnvironmentVariable(variable, null);
        }
    }

    [Fact]
    public void Malformed_master_key_in_the_environment_is_refused_without_echoing_it()
    {
        var variable = "CONTACTO_TEST_MASTER_KEY_" + Guid.NewGuid().ToString("N");
        Environment.SetEnvironmentVariable(variable, "c2hvcnQ=");
        try
        {
            var error = Assert.Throws<InvalidOperationException>(() => Open(environmentVariable: variable));

            Assert.Contains(variable, error.Message);
            Assert.DoesNotContain("c2hvcnQ=", error.Message);
        }
        finally
        {
            Environment.SetEnvironmentVariable(variable, null);
        }
    }

    [Fact]
    public void Master_key_file_supplied_by_the_operator_must_be_owner_only()
    {
        var file = _directory.Combine("operator-master.key");
        File.WriteAllText(file, Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)));
        File.SetUnixFileMode(file, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.OtherRead);

        Assert.Throws<InvalidOperationException>(() => Open(masterKeyFile: file));

        File.SetUnixFileMode(file, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        using var keyring = Open(masterKeyFile: file);
        Assert.Equal(1, keyring.CurrentVersion);
        Assert.False(File.Exists(Path.Combine(_keys, "master.key")));
    }

    [Fact]
    public void Refuses_to_start_when_kek_versions_exist_but_the_master_key_is_gone()
    {
        Open().Dispose();
        File.Delete(Path.Combine(_keys, "master.key"));

        var error = Assert.Throws<InvalidOperationException>(Open);

        Assert.Contains("no master key", error.Message);
        Assert.False(File.Exists(Path.Combine(_keys, "master.key")));
    }

    private WrappedKey UseAndWrap(string variable)
    {
        using var keyring = Open(environmentVariable: variable);
        return keyring.Wrap(RandomNumberGenerator.GetBytes(32), Context);
    }

    private LocalKeyring Open() => Open(null, null);

    private LocalKeyring Open(string? environmentVariable = null, string? masterKeyFile = null) => new(new LocalKeyringOptions
    {
        KeysDirectory = _keys,
        MasterKeyEnvironmentVariable = environmentVariable,
        MasterKeyFile = masterKeyFile,
    });
}
