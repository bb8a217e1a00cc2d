namespace Contacto.Crypto;

/// <summary>
/// Reserved owners of the platform's own data keys in the key store. Never an account, so tenants'
/// rotation and shredding never touch them; their key events belong to the platform's audit chain.
/// </summary>
internal static class PlatformKeyOwners
{
    /// <summary>Seals the console's data protection key ring (antiforgery tokens) at rest.</summary>
    public static readonly Guid DataProtection = new("00000000-0000-7000-8000-0000000000d9");

    /// <summary>
    /// Indexes rented numbers platform-wide, so that traffic from carriers finds a number's account
    /// without any account's own keys (one whose keys are gone must not stop the others' traffic).
    /// </summary>
    public static readonly Guid NumberRouting = new("00000000-0000-7000-8000-0000000000e1");

    /// <summary>Indexes console users' e-mail addresses, which sign-in looks up across every tenant.</summary>
    public static readonly Guid ConsoleEmails = new("00000000-0000-7000-8000-0000000000e2");

    /// <summary>True for a platform owner: its key events go to the platform's chain, as no account has it.</summary>
    public static bool Contains(Guid owner) => owner == DataProtection || owner == NumberRouting || owner == ConsoleEmails;
}
