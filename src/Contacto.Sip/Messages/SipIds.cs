using System.Security.Cryptography;

namespace Contacto.Sip.Messages;

/// <summary>Random identifiers: tags, branches and Call-IDs, unguessable and unique (RFC 3261 19.3).</summary>
public static class SipIds
{
    public static string NewTag() => RandomText(10);

    /// <summary>A branch with the RFC 3261 magic cookie.</summary>
    public static string NewBranch() => SipVia.MagicCookie + RandomText(16);

    public static string NewCallId(string host) => RandomText(20) + "@" + host;

    private static string RandomText(int length) => RandomNumberGenerator.GetString("abcdefghijklmnopqrstuvwxyz0123456789", length);
}
