using Microsoft.Extensions.Options;

namespace Contacto.Crypto;

internal enum KekProviderKind
{
    Local,
    Pkcs11,
}

/// <summary>Configuration section <c>Crypto</c>. Holds no secret: the PIN and the master key come
/// from the environment or from owner-only files, so dumping the configuration leaks nothing.</summary>
internal sealed class CryptoOptions
{
    public const string Section = "Crypto";

    public KekProviderKind Provider { get; set; } = KekProviderKind.Local;

    public LocalKeyringOptions Local { get; set; } = new();

    public Pkcs11Options Pkcs11 { get; set; } = new();

    /// <summary>How long unwrapped tenant keys stay in memory.</summary>
    public TimeSpan KeyCacheDuration { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>Time between scheduling and carrying out a crypto-shredding.</summary>
    public TimeSpan ShreddingWaitingPeriod { get; set; } = TimeSpan.FromDays(7);

    /// <summary>How often the maintenance worker looks for shreddings that are due.</summary>
    public TimeSpan ShreddingCheckInterval { get; set; } = TimeSpan.FromMinutes(10);
}

internal sealed class Pkcs11Options
{
    /// <summary>Path of the PKCS#11 module, for example /usr/lib/softhsm/libsofthsm2.so.</summary>
    public string ModulePath { get; set; } = "";

    /// <summary>Label of the token holding the KEKs; this, <see cref="SlotId"/> or both.</summary>
    public string TokenLabel { get; set; } = "";

    /// <summary>Slot of the token holding the KEKs; this, <see cref="TokenLabel"/> or both.</summary>
    public ulong? SlotId { get; set; }

    /// <summary>Environment variable holding the user PIN; used when set and not empty.</summary>
    public string? PinEnvironmentVariable { get; set; } = "CONTACTO_PKCS11_PIN";

    /// <summary>Owner-only file holding the user PIN, used when the environment variable is absent.</summary>
    public string? PinFile { get; set; }

    /// <summary>KEK versions are the token's AES keys labelled <c>{prefix}-v{N}</c>.</summary>
    public string KeyLabelPrefix { get; set; } = "contacto-kek";

    /// <summary>Reads the PIN from the environment or the PIN file; the PIN is never logged or kept in options.</summary>
    internal byte[] ReadPin() => System.Text.Encoding.UTF8.GetBytes(KeyFiles.ReadSecret(PinEnvironmentVariable, PinFile,
        $"No PKCS#11 PIN: set the environment variable {PinEnvironmentVariable} or Crypto:Pkcs11:PinFile."));
}

internal sealed class CryptoOptionsValidator : IValidateOptions<CryptoOptions>
{
    public ValidateOptionsResult Validate(string? name, CryptoOptions options)
    {
        var failures = new List<string>();
        if (options.KeyCacheDuration <= TimeSpan.Zero || options.KeyCacheDuration > TimeSpan.FromHours(1))
        {
            failures.Add("Crypto:KeyCacheDuration must be more than zero and at most one hour.");
        }
        if (options.ShreddingWaitingPeriod < TimeSpan.Zero)
        {
            failures.Add("Crypto:ShreddingWaitingPeriod cannot be negative.");
        }
        if (options.ShreddingCheckInterval <= TimeSpan.Zero)
        {
            failures.Add("Crypto:ShreddingCheckInterval must be more than zero.");
        }
        switch (options.Provider)
        {
            case KekProviderKind.Local when options.Local.KeysDirectory is { } keys && !Path.IsPathFullyQualified(keys):
                failures.Add($"Crypto:Local:KeysDirectory must be an absolute path (got '{keys}'); leave it out for {{data}}/keys.");
                break;
            case KekProviderKind.Pkcs11:
                if (!File.Exists(options.Pkcs11.ModulePath))
                {
                    failures.Add($"Crypto:Pkcs11:ModulePath '{options.Pkcs11.ModulePath}' does not exist.");
                }
                if (string.IsNullOrWhiteSpace(options.Pkcs11.TokenLabel) && options.Pkcs11.SlotId is null)
                {
                    failures.Add("Crypto:Pkcs11:TokenLabel or Crypto:Pkcs11:SlotId is required.");
                }
                if (!KeyFiles.SecretConfigured(options.Pkcs11.PinEnvironmentVariable, options.Pkcs11.PinFile))
                {
                    failures.Add($"The PKCS#11 PIN is missing: set {options.Pkcs11.PinEnvironmentVariable} or Crypto:Pkcs11:PinFile.");
                }
                break;
        }
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
