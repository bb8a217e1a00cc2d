using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using Contacto.Testing;

namespace Contacto.Tests.Crypto;

/// <summary>
/// A fresh SoftHSM2 token in a temp folder for this test run. SoftHSM2 reads SOFTHSM2_CONF with the
/// C library's getenv when the module is loaded, which does not see variables set through .NET's
/// Environment, so the fixture sets it with setenv as well, before any provider opens.
/// </summary>
public sealed partial class SoftHsmFixture : IDisposable
{
    public const string ModulePath = "/usr/lib/softhsm/libsofthsm2.so";
    private const string Tool = "softhsm2-util";

    public SoftHsmFixture()
    {
        if (!File.Exists(ModulePath) || !ToolExists())
        {
            throw new InvalidOperationException(
                $"SoftHSM2 is required for the PKCS#11 tests but {ModulePath} or {Tool} is missing: install it with 'apt-get install -y softhsm2'.");
        }
        var tokens = _directory.Combine("tokens");
        Directory.CreateDirectory(tokens);
        var config = _directory.Combine("softhsm2.conf");
        File.WriteAllText(config, $"directories.tokendir = {tokens}\nobjectstore.backend = file\nlog.level = ERROR\n");
        Environment.SetEnvironmentVariable("SOFTHSM2_CONF", config);
        if (SetNativeEnvironmentVariable("SOFTHSM2_CONF", config, overwrite: 1) != 0)
        {
            throw new InvalidOperationException("Could not set SOFTHSM2_CONF for the PKCS#11 module.");
        }

        TokenLabel = "contacto-test";
        Pin = Convert.ToHexString(RandomNumberGenerator.GetBytes(8));
        var soPin = Convert.ToHexString(RandomNumberGenerator.GetBytes(8));
        Run("--init-token", "--free", "--label", TokenLabel, "--pin", Pin, "--so-pin", soPin);
    }

    private readonly TempDirectory _directory = new();

    public string TokenLabel { get; }
    public string Pin { get; }

    public void Dispose() => _directory.Dispose();

    [DllImport("libc", EntryPoint = "setenv")]
    private static extern int SetNativeEnvironmentVariable(string name, string value, int overwrite);

    private static bool ToolExists() =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator).Any(dir => File.Exists(Path.Combine(dir, Tool)));

    private static void Run(params string[] arguments)
    {
        var start = new ProcessStartInfo(Tool) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }
        using var process = Process.Start(start)!;
        process.StandardOutput.ReadToEnd();
        var error = process.StandardError.ReadToEnd();
        process.WaitForExit();
        if (process.ExitCode != 0)
        {
            // The arguments hold the PINs, so only the tool's own complaint is shown.
            throw new InvalidOperationException($"{Tool} --init-token failed ({process.ExitCode}): {error}");
        }
    }
}

[CollectionDefinition(Name)]
public sealed class SoftHsmCollection : ICollectionFixture<SoftHsmFixture>
{
    public const string Name = "SoftHSM2";
}
