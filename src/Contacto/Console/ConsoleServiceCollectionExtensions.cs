using Contacto.Platform;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.DataProtection.KeyManagement;
using Microsoft.AspNetCore.DataProtection.Repositories;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Contacto.Console;

public static class ConsoleServiceCollectionExtensions
{
    /// <summary>Console users, sessions and pages, and the antiforgery tokens their forms carry.</summary>
    public static IServiceCollection AddContactoConsole(this IServiceCollection services)
    {
        services.AddOptions<ConsoleOptions>().BindConfiguration(ConsoleOptions.Section, o => o.ErrorOnUnknownConfiguration = true).ValidateOnStart();
        services.AddSingleton<IValidateOptions<ConsoleOptions>, ConsoleOptionsValidator>();
        services.AddSingleton(sp => new PasswordHasher(sp.GetRequiredService<IOptions<ConsoleOptions>>().Value.PasswordHashMemoryKib));
        services.AddSingleton<ConsoleUsers>();
        services.AddSingleton<ConsoleSessions>();
        services.AddSingleton<ConsolePages>();
        services.AddSingleton<ConsoleSso>();
        services.AddSingleton<ConsolePasskeys>();
        services.AddSingleton<ConsoleMessageLog>();
        services.AddHttpClient(ConsoleSso.ClientName, client => client.Timeout = TimeSpan.FromSeconds(10));

        // Antiforgery keys live in the data directory, so tokens survive a restart of this node.
        services.AddDataProtection().SetApplicationName("contacto-console");
        services.AddOptions<KeyManagementOptions>().Configure<DataDirectory, ILoggerFactory>((o, data, logs) =>
            o.XmlRepository = new FileSystemXmlRepository(new DirectoryInfo(data.Ensure("console-keys")), logs));
        services.AddAntiforgery(o =>
        {
            o.FormFieldName = ConsoleEndpoints.CsrfField;
            o.Cookie.Name = "__Host-contacto-antiforgery";
            o.Cookie.SecurePolicy = CookieSecurePolicy.Always;
            o.Cookie.SameSite = SameSiteMode.Strict;
            o.Cookie.HttpOnly = true;
        });
        return services;
    }
}
