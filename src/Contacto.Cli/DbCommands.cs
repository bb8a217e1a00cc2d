using System.CommandLine;
using Contacto.Storage;
using Microsoft.Extensions.DependencyInjection;

namespace Contacto.Cli;

static class DbCommands
{
    public static Command Create(CliContext context)
    {
        var migrate = new Command("migrate", "Apply pending database migrations.");
        migrate.SetAction((_, cancellationToken) => context.RunAsync(async (services, ct) =>
        {
            var applied = await services.GetRequiredService<StorageInitializer>().MigrateAsync(ct);
            var provider = services.GetRequiredService<ContactoDbContextFactory>().Provider;
            await context.Output.WriteLineAsync(applied.Count == 0
                ? $"Database ({provider}) is up to date."
                : $"Applied {applied.Count} migration(s) to {provider}: {string.Join(", ", applied)}");
            return 0;
        }, cancellationToken));

        return new Command("db", "Database administration.") { migrate };
    }
}
