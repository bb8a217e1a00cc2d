using System.Globalization;
using Contacto.Media.Srtp;

namespace Contacto.Media.Sdp;

/// <summary>
/// a=crypto:tag suite inline:key||salt[|lifetime] (RFC 4568). Only the forms this library can
/// use parse: one inline key of the right length, an optional lifetime of at most 2^48, no MKI
/// and no session parameters; anything else is skipped by the negotiation.
/// </summary>
public sealed record SdpCrypto(int Tag, SrtpKeyMaterial Key)
{
    public static bool TryParse(string? value, out SdpCrypto crypto)
    {
        crypto = null!;
        var parts = value?.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (parts is not { Length: 3 }
            || !int.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out var tag) || tag > 999_999_999
            || !SrtpSuites.TryParse(parts[1], out var suite)
            || !parts[2].StartsWith("inline:", StringComparison.Ordinal)
            || parts[2].Contains(';'))
        {
            return false;
        }
        var fields = parts[2]["inline:".Length..].Split('|');
        if (fields.Length > 2 || (fields.Length == 2 && !IsLifetime(fields[1])))
        {
            return false;
        }
        Span<byte> keyAndSalt = stackalloc byte[64];
        if (!Convert.TryFromBase64String(fields[0], keyAndSalt, out var written)
            || written != SrtpSuites.MasterKeyLength + SrtpSuites.MasterSaltLength)
        {
            return false;
        }
        crypto = new SdpCrypto(tag, new SrtpKeyMaterial(
            suite, keyAndSalt[..SrtpSuites.MasterKeyLength].ToArray(), keyAndSalt[SrtpSuites.MasterKeyLength..written].ToArray()));
        return true;
    }

    private static bool IsLifetime(string text) =>
        text.StartsWith("2^", StringComparison.Ordinal)
            ? int.TryParse(text.AsSpan(2), NumberStyles.None, CultureInfo.InvariantCulture, out var power) && power is > 0 and <= 48
            : ulong.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var count) && count is > 0 and <= 1UL << 48;

    public SdpAttribute ToAttribute() =>
        new("crypto", $"{Tag.ToString(CultureInfo.InvariantCulture)} {Key.Suite.SdpName()} {Key.ToInline()}");

    public override string ToString() => $"SdpCrypto({Tag}, {Key})";
}
