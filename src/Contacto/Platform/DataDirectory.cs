using Microsoft.Extensions.Options;

namespace Contacto.Platform;

/// <summary>
/// The data directory and its sub-folders, created readable by the owner only. An existing
/// directory that group or others can enter is refused rather than silently used.
/// </summary>
public sealed class DataDirectory
{
    const UnixFileMode OwnerOnly = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;
    const UnixFileMode GroupOrOthers = UnixFileMode.GroupRead | UnixFileMode.GroupWrite | UnixFileMode.GroupExecute |
                                       UnixFileMode.OtherRead | UnixFileMode.OtherWrite | UnixFileMode.OtherExecute;

    public DataDirectory(IOptions<PlatformOptions> options)
    {
        Root = Path.GetFullPath(options.Value.DataDir);
    }

    public string Root { get; }

    /// <summary>Creates the root (and the named sub-folder) owner-only, or checks they already are.</summary>
    public string Ensure(string? subfolder = null)
    {
        EnsureOwnerOnly(Root, "DataDir");
        if (subfolder is null)
            return Root;
        var path = Path.Combine(Root, subfolder);
        EnsureOwnerOnly(path, "DataDir");
        return path;
    }

    /// <summary>Creates <paramref name="path"/> owner-only, or checks it already is; errors name the configuration <paramref name="key"/>.</summary>
    internal static void EnsureOwnerOnly(string path, string key)
    {
        if (OperatingSystem.IsWindows())
        {
            Directory.CreateDirectory(path);
            return;
        }
        if (!Directory.Exists(path))
        {
            try
            {
                Directory.CreateDirectory(path, OwnerOnly);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                throw new ConfigurationException(key, $"cannot create '{path}': {e.Message}");
            }
            return;
        }
        var mode = File.GetUnixFileMode(path);
        if ((mode & GroupOrOthers) != 0)
            throw new ConfigurationException(key,
                $"'{path}' is open to group or others (mode {Convert.ToString((int)mode, 8)}); run 'chmod 700 {path}'");
    }

    /// <summary>Writes a file atomically with owner-only permissions (for keys and certificates).</summary>
    public static void WriteOwnerOnly(string path, ReadOnlySpan<byte> content)
    {
        var temporary = path + ".tmp";
        File.Delete(temporary); // a left-over could carry looser permissions that Create would keep
        var options = new FileStreamOptions { Mode = FileMode.Create, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows())
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        using (var stream = new FileStream(temporary, options))
        {
            stream.Write(content);
            stream.Flush(flushToDisk: true);
        }
        File.Move(temporary, path, overwrite: true);
    }
}
