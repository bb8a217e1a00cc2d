using Contacto.Tenancy;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Contacto.Storage;

internal static class StorageServiceCollectionExtensions
{
    public const string ReadyTag = "ready";

    public static IServiceCollection AddContactoStorage(this IServiceCollection services)
    {
        services.AddOptions<StorageOptions>().BindConfiguration(StorageOptions.Section, o => o.ErrorOnUnknownConfiguration = true).ValidateOnStart();
        services.AddSingleton<IValidateOptions<StorageOptions>, StorageOptionsValidator>();
        services.AddSingleton<ContactoDbContextFactory>();
        services.AddSingleton<IDbContextFactory<ContactoDbContext>>(sp => sp.GetRequiredService<ContactoDbContextFactory>());
        // What request code gets: always scoped to the authenticated account, never a system context.
        services.AddScoped<TenantContext>();
        services.AddScoped(sp => sp.GetRequiredService<ContactoDbContextFactory>().CreateForAccount(sp.GetRequiredService<TenantContext>().AccountId));
        services.AddSingleton<StorageInitializer>();
        services.AddHealthChecks().AddCheck<StorageHealthCheck>("storage", tags: [ReadyTag]);
        return services;
    }
}
