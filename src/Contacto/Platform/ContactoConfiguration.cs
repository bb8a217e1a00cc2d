using Microsoft.Extensions.Configuration;

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
        builder.AddJsonFile(Path.Combine(baseDirectory, "appsettings.json"), optional: true, reloadOnChange);
        if (!string.IsNullOrEmpty(environmentName))
            builder.AddJsonFile(Path.Combine(baseDirectory, $"appsettings.{environmentName}.json"), optional: true, reloadOnChange);
        builder.AddJsonFile(Path.Combine(Directory.GetCurrentDirectory(), "appsettings.json"), optional: true, reloadOnChange);
        builder.AddEnvironmentVariables(EnvironmentPrefix);
        builder.AddInMemoryCollection(ReadEnvironmentAliases());
        builder.AddCommandLine(args, SwitchMappings.ToDictionary(kv => kv.Key, kv => kv.Value));
    }

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
