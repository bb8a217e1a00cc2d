using System.Text;
using Contacto.Crypto;

namespace Contacto.Accounts;

/// <summary>
/// Seals and opens an account's sensitive fields with the account's own data key. Each purpose is
/// bound into its ciphertext, so a sealed name cannot be replayed as a token or onto another row.
/// </summary>
public sealed class AccountFields(ITenantCrypto crypto)
{
    public const string TokenPurpose = "account.auth_token";
    public const string NamePurpose = "account.name";
    public const string AddressPurpose = "account.address";
    public const string CityPurpose = "account.city";
    public const string StatePurpose = "account.state";

    public async ValueTask<byte[]> SealAsync(Guid accountId, string purpose, string value, CancellationToken cancellationToken) =>
        await crypto.SealAsync(accountId, purpose, accountId, Encoding.UTF8.GetBytes(value), cancellationToken);

    public async ValueTask<byte[]?> SealOptionalAsync(Guid accountId, string purpose, string? value, CancellationToken cancellationToken) =>
        value is null ? null : await SealAsync(accountId, purpose, value, cancellationToken);

    public async ValueTask<string> OpenAsync(Guid accountId, string purpose, byte[] sealedValue, CancellationToken cancellationToken) =>
        Encoding.UTF8.GetString(await crypto.OpenAsync(accountId, purpose, accountId, sealedValue, cancellationToken));

    public async ValueTask<string?> OpenOptionalAsync(Guid accountId, string purpose, byte[]? sealedValue, CancellationToken cancellationToken) =>
        sealedValue is null ? null : await OpenAsync(accountId, purpose, sealedValue, cancellationToken);

    /// <summary>Opens the token as bytes so callers can compare in constant time and clear it.</summary>
    public async ValueTask<byte[]> OpenTokenAsync(Guid accountId, byte[] sealedToken, CancellationToken cancellationToken) =>
        await crypto.OpenAsync(accountId, TokenPurpose, accountId, sealedToken, cancellationToken);
}
