using Contacto.Api;
using Contacto.Crypto;

namespace Contacto.Numbers;

/// <summary>List filters that take a phone number: records carry the number sealed and a blind index of it, and the filter compares indexes.</summary>
internal static class NumberFilters
{
    /// <summary>The blind index of the number in parameter <paramref name="name"/>; null when the filter is not given.</summary>
    public static async Task<byte[]?> IndexAsync(ITenantCrypto crypto, Guid accountId, ApiParameters parameters, string name, CancellationToken cancellationToken)
    {
        if (parameters.String(name, 32) is not { } number)
            return null;
        return E164.TryNormalize(number, out var e164)
            ? await crypto.BlindIndexAsync(accountId, NumberPlan.IndexPurpose, e164, cancellationToken)
            : throw ApiException.BadRequest($"{name} must be a phone number in international form");
    }
}
