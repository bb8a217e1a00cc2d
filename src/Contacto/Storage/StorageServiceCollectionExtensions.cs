using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Contacto.Storage;

public static class StorageServiceCollectionExtensions
{
    public const string ReadyTag = "ready";

    public static IServiceCollection AddContactoStorage(this IServiceCollection services)
    {
        services.AddOptions<StorageOptions>().BindConfiguration(StorageOptions.Section, o => o.ErrorOnUnknownConfiguration = true).ValidateOnStart();
        services.AddSingleton<IValidateOptions<StorageOptions>, StorageOptionsValidator>();
        services.AddSingleton<ContactoDbContextFactory>();
        services.AddSingleton<IDbContextFactory<ContactoDbContext>>(sp => sp.GetRequiredService<ContactoDbContextFactory>());
        services.AddScoped(sp => sp.GetRequiredService<ContactoDbContextFactory>().CreateDbContext());
        services.AddSingleton<StorageInitializer>();
        services.AddHealthChecks().AddCheck<StorageHealthCheck>("storage", tags: [ReadyTag]);
        return services;
    }
}
