using Contacto.Accounts;
using Contacto.Applications;
using Contacto.Storage;
using Microsoft.Extensions.DependencyInjection;

namespace Contacto.Numbers;

internal static class NumbersServiceCollectionExtensions
{
    /// <summary>The number inventory and the Number API's service.</summary>
    public static IServiceCollection AddContactoNumbers(this IServiceCollection services)
    {
        services.AddSingleton<NumberService>();
        services.AddSingleton<ISubaccountDeletionHandler>(sp => sp.GetRequiredService<NumberService>());
        services.AddSingleton<IApplicationDeletionHandler>(sp => sp.GetRequiredService<NumberService>());
        services.AddSingleton<IStorageStartupTask, NumberRoutingBackfill>();
        return services;
    }
}

/// <summary>Gives numbers stored before the routing index existed their index, before anything is served.</summary>
sealed class NumberRoutingBackfill(NumberService numbers) : IStorageStartupTask
{
    public Task RunAsync(CancellationToken cancellationToken) => numbers.BackfillRoutingIndexesAsync(cancellationToken);
}
