using System.CommandLine;
using Contacto.Observability;
using Contacto.Platform;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Contacto.Cli;

/// <summary>
/// The <c>contacto</c> admin command. It reads the same configuration as the server (appsettings,
/// CONTACTO_ variables, the same switches), so it works on the same data directory and database.
/// </summary>
public static class ContactoCli
{
    public static async Task<int> InvokeAsync(string[] args, TextWriter output, TextWriter error)
    {
        var root = new RootCommand("Contacto administration: database, TLS and, as they come, keys, accounts and audit.");
        foreach (var (name, key) in ContactoConfiguration.SwitchMappings)
            root.Options.Add(new Option<string>(name) { Description = $"Sets configuration key {key}", Recursive = true });
        var context = new CliContext(args, output, error);
        root.Subcommands.Add(DbCommands.Create(context));
        root.Subcommands.Add(TlsCommands.Create(context));
        root.Subcommands.Add(AccountCommands.Create(context));
        root.Subcommands.Add(AuditCommands.Create(context));
        root.Subcommands.Add(KeysCommands.Create(context));
        root.Subcommands.Add(OpsCommands.Create(context));
        root.Subcommands.Add(UserCommands.Create(context));
        root.Subcommands.Add(NumberCommands.Create(context));

        var parse = root.Parse(args);
        return await parse.InvokeAsync(new InvocationConfiguration { Output = output, Error = error });
    }
}

/// <summary>What every command needs: the platform's services built from the same configuration.</summary>
public sealed class CliContext(string[] args, TextWriter output, TextWriter error)
{
    public TextWriter Output { get; } = output;
    public TextWriter Error { get; } = error;

    /// <summary>Builds the platform's services and runs <paramref name="action"/>; configuration errors exit 2.</summary>
    public async Task<int> RunAsync(Func<IServiceProvider, CancellationToken, Task<int>> action, CancellationToken cancellationToken)
    {
        try
        {
            var host = BuildHost();
            try
            {
                host.Services.GetService<IStartupValidator>()?.Validate();
                return await action(host.Services, cancellationToken);
            }
            finally
            {
                // Asynchronous disposal lets the audit writer finish what it queued.
                await ((IAsyncDisposable)host).DisposeAsync();
            }
        }
        catch (Exception e) when (StartupFailure.Describe(e) is { } message)
        {
            await Error.WriteLineAsync($"contacto: {message}");
            return 2;
        }
    }

    IHost BuildHost()
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true, Args = [] });
        builder.Configuration.AddContactoSources(ConfigurationArguments(args), builder.Environment.EnvironmentName);
        builder.Logging.AddContactoLogging(builder.Configuration, builder.Environment).SetMinimumLevel(LogLevel.Warning);
        builder.Services.AddContactoPlatform();
        return builder.Build();
    }

    /// <summary>Only the configuration switches reach the configuration; verbs and their options do not.</summary>
    static string[] ConfigurationArguments(string[] args)
    {
        var result = new List<string>();
        for (var i = 0; i < args.Length; i++)
        {
            if (!ContactoConfiguration.IsConfigurationSwitch(args[i]))
                continue;
            result.Add(args[i]);
            if (!args[i].Contains('=') && i + 1 < args.Length)
                result.Add(args[++i]);
        }
        return [.. result];
    }
}
