using System.Globalization;
using System.Numerics;

namespace Contacto.Smpp.Receipts;

/// <summary>
/// Brings carrier message ids to one canonical form, so an id given in hex in submit_sm_resp
/// matches the same id given in decimal in the receipt. Key lookups by (bind, canonical id).
/// </summary>
public static class MessageIds
{
    public static string Canonical(string id, MessageIdFormat format)
    {
        var trimmed = id.Trim();
        return format switch
        {
            MessageIdFormat.Decimal when BigInteger.TryParse(trimmed, NumberStyles.None, CultureInfo.InvariantCulture, out var value) =>
                value.ToString(CultureInfo.InvariantCulture),
            MessageIdFormat.Hexadecimal when BigInteger.TryParse("0" + trimmed, NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var value) =>
                value.ToString(CultureInfo.InvariantCulture),
            _ => trimmed.ToLowerInvariant(),
        };
    }
}
