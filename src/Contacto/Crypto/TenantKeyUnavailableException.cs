using System.Security.Cryptography;

namespace Contacto.Crypto;

internal enum KeyUnavailableReason
{
    /// <summary>The tenant's keys were crypto-shredded; its data can never be opened again.</summary>
    Destroyed,

    /// <summary>The tenant's keys are scheduled for destruction; nothing new is sealed under them.</summary>
    ShreddingScheduled,

    /// <summary>The key version was retired; data under it must have been re-encrypted first.</summary>
    Retired,

    /// <summary>No key version with that number exists for the tenant.</summary>
    UnknownVersion,
}

/// <summary>A tenant key cannot be used. The message names the account and version, never key material.</summary>
internal sealed class TenantKeyUnavailableException(Guid accountId, KeyUnavailableReason reason, int? keyVersion = null)
    : CryptographicException(Describe(accountId, reason, keyVersion))
{
    public Guid AccountId { get; } = accountId;
    public KeyUnavailableReason Reason { get; } = reason;
    public int? KeyVersion { get; } = keyVersion;

    private static string Describe(Guid accountId, KeyUnavailableReason reason, int? keyVersion) => reason switch
    {
        KeyUnavailableReason.Destroyed => $"The keys of account {accountId} were destroyed (crypto-shredded); its data cannot be opened.",
        KeyUnavailableReason.ShreddingScheduled => $"The keys of account {accountId} are scheduled for destruction; nothing new can be sealed.",
        KeyUnavailableReason.Retired => $"Key version {keyVersion} of account {accountId} is retired and no longer decrypts.",
        _ => $"Account {accountId} has no key version {keyVersion}.",
    };
}
