using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Konscious.Security.Cryptography;

namespace Contacto.Console;

/// <summary>
/// Argon2id password hashes with a random 16-byte salt, stored as
/// <c>argon2id$m=KIB,t=PASSES,p=LANES$SALT$HASH</c> so that stronger parameters can come later
/// while old hashes still verify.
/// </summary>
public sealed class PasswordHasher(int memoryKib = PasswordHasher.DefaultMemoryKib, int passes = 3, int lanes = 1)
{
    public const int DefaultMemoryKib = 19 * 1024; // OWASP's Argon2id minimum: 19 MiB, 2+ passes

    public string Hash(string password)
    {
        var salt = RandomNumberGenerator.GetBytes(16);
        var hash = Derive(password, salt, memoryKib, passes, lanes);
        return $"argon2id$m={memoryKib},t={passes},p={lanes}${Convert.ToBase64String(salt)}${Convert.ToBase64String(hash)}";
    }

    /// <summary>
    /// True when <paramref name="password"/> is the one <paramref name="stored"/> was made from. A
    /// user without a password (SSO only, stored as empty) costs the same work as any other, and so
    /// does an empty password, which none can have.
    /// </summary>
    public bool Verify(string password, string stored)
    {
        var parts = stored.Split('$');
        if (parts.Length != 4 || parts[0] != "argon2id" || password.Length == 0)
        {
            Waste(password);
            return false;
        }
        var settings = parts[1].Split(',').Select(p => p.Split('=')).ToDictionary(p => p[0], p => int.Parse(p[1], CultureInfo.InvariantCulture));
        var expected = Convert.FromBase64String(parts[3]);
        var actual = Derive(password, Convert.FromBase64String(parts[2]), settings["m"], settings["t"], settings["p"]);
        return CryptographicOperations.FixedTimeEquals(expected, actual);
    }

    /// <summary>Spends the same effort as a real check, so an unknown address answers as slowly as a known one.</summary>
    public void Waste(string password) => Derive(password.Length == 0 ? EmptyStandIn : password, new byte[16], memoryKib, passes, lanes);

    /// <summary>Argon2 refuses an empty password: wasted work on an empty one hashes this instead.</summary>
    const string EmptyStandIn = "\0";

    static byte[] Derive(string password, byte[] salt, int memory, int iterations, int parallelism)
    {
        using var argon = new Argon2id(Encoding.UTF8.GetBytes(password))
        {
            Salt = salt,
            MemorySize = memory,
            Iterations = iterations,
            DegreeOfParallelism = parallelism,
        };
        return argon.GetBytes(32);
    }
}
