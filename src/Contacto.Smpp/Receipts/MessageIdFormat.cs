using System.Globalization;
using System.Numerics;

namespace Contacto.Smpp.Receipts;

/// <summary>How a carrier writes a message id in one place (submit_sm_resp or the receipt).</summary>
public enum MessageIdFormat
{
    /// <summary>An opaque string, compared without regard to case.</summary>
    Opaque,

    /// <summary>A decimal number; leading zeros do not matter.</summary>
    Decimal,

    /// <summary>A hexadecimal number; case and leading zeros do not matter.</summary>
    Hexadecimal,
}

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

/// <summary>How one carrier writes ids in submit_sm_resp and in its receipts.</summary>
public sealed record MessageIdFormats(MessageIdFormat SubmitResponse, MessageIdFormat Receipt)
{
    public static MessageIdFormats Opaque { get; } = new(MessageIdFormat.Opaque, MessageIdFormat.Opaque);
}
