namespace Contacto.Crypto;

/// <summary>
/// Reserved owners of the platform's own data keys in the key store. Never an account, so tenants'
/// rotation and shredding never touch them; their key events belong to the platform's audit chain.
/// </summary>
public static class PlatformKeyOwners
{
    /// <summary>Seals the console's data protection key ring (antiforgery tokens) at rest.</summary>
    public static readonly Guid DataProtection = new("00000000-0000-7000-8000-0000000000d9");
}
