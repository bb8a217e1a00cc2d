using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.FileProviders;

namespace Contacto.Platform;

/// <summary>
/// One configuration pipeline for the server and the CLI: appsettings, then CONTACTO_ environment
/// variables, then the command line, later sources winning.
/// </summary>
public static class ContactoConfiguration
{
    public const string EnvironmentPrefix = "CONTACTO_";

    /// <summary>Command-line spellings that map to configuration keys.</summary>
    public static readonly IReadOnlyDictionary<string, string> SwitchMappings = new Dictionary<string, string>
    {
        ["--data-dir"] = "DataDir",
        ["--public-url"] = "Listen:Public",
        ["--ops-url"] = "Listen:Ops",
        ["--storage"] = "Storage:Provider",
        ["--connection-string"] = "Storage:ConnectionString",
    };

    // Environment names the documentation promises that the usual "__" nesting cannot spell.
    static readonly IReadOnlyDictionary<string, string> EnvironmentAliases = new Dictionary<string, string>
    {
        ["CONTACTO_DATA_DIR"] = "DataDir",
    };

    /// <param name="reloadOnChange">
    /// Watch the appsettings files (the server: sections read through <c>IOptionsMonitor</c>, such
    /// as <c>Carriers</c>, apply their changes without a restart).
    /// </param>
    public static void AddContactoSources(this IConfigurationBuilder builder, string[] args, string? environmentName, bool reloadOnChange = false)
    {
        var baseDirectory = AppContext.BaseDirectory;
        AddSettingsFile(builder, Path.Combine(baseDirectory, "appsettings.json"), reloadOnChange);
        if (!string.IsNullOrEmpty(environmentName))
            AddSettingsFile(builder, Path.Combine(baseDirectory, $"appsettings.{environmentName}.json"), reloadOnChange);
        AddSettingsFile(builder, Path.Combine(Directory.GetCurrentDirectory(), "appsettings.json"), reloadOnChange);
        builder.AddEnvironmentVariables(EnvironmentPrefix);
        builder.AddInMemoryCollection(ReadEnvironmentAliases());
        builder.AddCommandLine(args, SwitchMappings.ToDictionary(kv => kv.Key, kv => kv.Value));
    }

    static void AddSettingsFile(IConfigurationBuilder builder, string path, bool reloadOnChange)
    {
        if (reloadOnChange)
            builder.AddPolledJsonFile(path, optional: true);
        else
            builder.AddJsonFile(path, optional: true, reloadOnChange: false);
    }

    /// <summary>
    /// A JSON file whose changes are picked up by polling (every 4 s) rather than by a file system
    /// watcher: inotify instances are a small per-user budget (128 by default on Linux) that a few
    /// servers, or test processes running many, would exhaust.
    /// </summary>
    public static IConfigurationBuilder AddPolledJsonFile(this IConfigurationBuilder builder, string path, bool optional) =>
        builder.AddJsonFile(source =>
        {
            source.FileProvider = new PhysicalFileProvider(Path.GetDirectoryName(Path.GetFullPath(path))!) { UsePollingFileWatcher = true, UseActivePolling = true };
            source.Path = Path.GetFileName(path);
            source.Optional = optional;
            source.ReloadOnChange = true;
        });

    static IEnumerable<KeyValuePair<string, string?>> ReadEnvironmentAliases()
    {
        foreach (var (variable, key) in EnvironmentAliases)
        {
            var value = Environment.GetEnvironmentVariable(variable);
            if (value is not null)
                yield return new(key, value);
        }
    }

    /// <summary>Removes arguments the configuration consumed so a CLI parser sees only its verbs.</summary>
    public static bool IsConfigurationSwitch(string arg) =>
        SwitchMappings.ContainsKey(arg.Split('=', 2)[0]);
}
