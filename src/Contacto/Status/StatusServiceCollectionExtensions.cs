using Contacto.Status.Incidents;
using Contacto.Status.Incidents.Paging;
using Contacto.Operations;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace Contacto.Status;

internal static class StatusServiceCollectionExtensions
{
    /// <summary>Components, monitors, the public page's readers, the staff operator tokens, incidents and paging.</summary>
    public static IServiceCollection AddContactoStatus(this IServiceCollection services)
    {
        services.AddIncidents();
        services.AddOptions<StatusOptions>().BindConfiguration(StatusOptions.Section, o => o.ErrorOnUnknownConfiguration = true)
            .PostConfigure(o =>
            {
                if (o.Groups.Count == 0)
                    o.Groups = StatusOptions.DefaultGroups();
            })
            .ValidateOnStart();
        services.AddSingleton<IValidateOptions<StatusOptions>, StatusOptionsValidator>();
        services.AddSingleton<StatusBoard>();
        services.AddSingleton<StatusReader>();
        services.AddSingleton<StatusBroadcaster>();
        services.AddSingleton<StatusPublisher>();
        services.AddSingleton<ComponentMonitor>();
        services.AddHostedService(sp => sp.GetRequiredService<ComponentMonitor>());
        services.AddSingleton<IComponentStatusSource, StorageHealthSource>();
        services.AddSingleton<ApiTraffic>();
        services.AddSingleton<IComponentStatusSource>(sp => sp.GetRequiredService<ApiTraffic>());
        services.AddTransient<IStartupFilter, ApiTrafficStartupFilter>();
        services.AddSingleton<OperatorTokenService>();
        services.AddScoped<OperatorAuthentication>();
        return services;
    }
}
