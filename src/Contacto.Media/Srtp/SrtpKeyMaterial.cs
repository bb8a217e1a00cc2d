using System.Security.Cryptography;

namespace Contacto.Media.Srtp;

/// <summary>The SDES crypto suites this library implements (RFC 4568 section 6.2).</summary>
public enum SrtpSuite
{
    /// <summary>AES-CM with a 128-bit key, HMAC-SHA1 with an 80-bit tag.</summary>
    AesCm128HmacSha1_80,

    /// <summary>AES-CM with a 128-bit key, HMAC-SHA1 with a 32-bit tag on SRTP (80 on SRTCP).</summary>
    AesCm128HmacSha1_32,
}

public static class SrtpSuites
{
    public const int MasterKeyLength = 16;
    public const int MasterSaltLength = 14;

    public static string SdpName(this SrtpSuite suite) =>
        suite == SrtpSuite.AesCm128HmacSha1_80 ? "AES_CM_128_HMAC_SHA1_80" : "AES_CM_128_HMAC_SHA1_32";

    public static bool TryParse(string name, out SrtpSuite suite)
    {
        switch (name)
        {
            case "AES_CM_128_HMAC_SHA1_80":
                suite = SrtpSuite.AesCm128HmacSha1_80;
                return true;
            case "AES_CM_128_HMAC_SHA1_32":
                suite = SrtpSuite.AesCm128HmacSha1_32;
                return true;
            default:
                suite = default;
                return false;
        }
    }

    /// <summary>Octets of the authentication tag on SRTP packets.</summary>
    public static int RtpTagLength(this SrtpSuite suite) => suite == SrtpSuite.AesCm128HmacSha1_80 ? 10 : 4;
}

/// <summary>
/// An SRTP master key and salt for one direction. Never printed: <see cref="ToString"/> names
/// only the suite.
/// </summary>
public sealed class SrtpKeyMaterial
{
    public SrtpKeyMaterial(SrtpSuite suite, byte[] masterKey, byte[] masterSalt)
    {
        if (masterKey.Length != SrtpSuites.MasterKeyLength || masterSalt.Length != SrtpSuites.MasterSaltLength)
        {
            throw new ArgumentException("An AES-128 SRTP master key is 16 octets and its salt 14.");
        }
        Suite = suite;
        MasterKey = masterKey;
        MasterSalt = masterSalt;
    }

    public SrtpSuite Suite { get; }
    public byte[] MasterKey { get; }
    public byte[] MasterSalt { get; }

    public static SrtpKeyMaterial Generate(SrtpSuite suite) =>
        new(suite, RandomNumberGenerator.GetBytes(SrtpSuites.MasterKeyLength), RandomNumberGenerator.GetBytes(SrtpSuites.MasterSaltLength));

    /// <summary>The key-params of an a=crypto line: inline:base64(key || salt).</summary>
    public string ToInline() => "inline:" + Convert.ToBase64String([.. MasterKey, .. MasterSalt]);

    public override string ToString() => $"SrtpKeyMaterial({Suite.SdpName()}, key hidden)";
}
