namespace Contacto.Crypto;

/// <summary>Files holding key material or a PIN: created owner-only, refused when others can reach them.</summary>
internal static class KeyFiles
{
    private const UnixFileMode OwnerOnlyFile = UnixFileMode.UserRead | UnixFileMode.UserWrite;
    private const UnixFileMode OwnerOnlyDirectory = OwnerOnlyFile | UnixFileMode.UserExecute;
    private const UnixFileMode GroupOrOthers = UnixFileMode.GroupRead | UnixFileMode.GroupWrite | UnixFileMode.GroupExecute
        | UnixFileMode.OtherRead | UnixFileMode.OtherWrite | UnixFileMode.OtherExecute;

    public static void CreateOwnerOnlyDirectory(string path)
    {
        if (OperatingSystem.IsWindows())
        {
            Directory.CreateDirectory(path);
        }
        else
        {
            Directory.CreateDirectory(path, OwnerOnlyDirectory);
        }
    }

    /// <summary>CreateNew: never overwrites key material, and two processes cannot both create one file.</summary>
    public static void WriteNew(string path, ReadOnlySpan<byte> content)
    {
        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = OwnerOnlyFile;
        }
        using var file = new FileStream(path, options);
        file.Write(content);
        file.Flush(flushToDisk: true);
    }

    public static void RefuseIfExposed(string path)
    {
        if (OperatingSystem.IsWindows())
        {
            return;
        }
        var mode = File.GetUnixFileMode(path);
        if ((mode & GroupOrOthers) != 0)
        {
            throw new InvalidOperationException(
                $"Key material at {path} is accessible by group or others (mode {Convert.ToString((int)mode, 8)}). " +
                "Restrict it to its owner (chmod 600 for a file, 700 for the keys directory) and start again.");
        }
    }

    /// <summary>Whether a secret is there to read: the environment variable set, or the file present.</summary>
    public static bool SecretConfigured(string? environmentVariable, string? file) =>
        (!string.IsNullOrEmpty(environmentVariable) && !string.IsNullOrEmpty(Environment.GetEnvironmentVariable(environmentVariable)))
        || File.Exists(file);

    /// <summary>
    /// A secret (a PIN, an access key) from the environment variable when set and not empty, else
    /// from the owner-only file, its line end dropped; <paramref name="missing"/> when neither is there.
    /// </summary>
    public static string ReadSecret(string? environmentVariable, string? file, string missing)
    {
        var fromEnvironment = string.IsNullOrEmpty(environmentVariable) ? null : Environment.GetEnvironmentVariable(environmentVariable);
        if (!string.IsNullOrEmpty(fromEnvironment))
        {
            return fromEnvironment;
        }
        if (string.IsNullOrEmpty(file))
        {
            throw new InvalidOperationException(missing);
        }
        RefuseIfExposed(file);
        return File.ReadAllText(file).TrimEnd('\r', '\n');
    }
}
