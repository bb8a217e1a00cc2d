using Contacto.Crypto;
using Contacto.Storage;
using Contacto.Webhooks;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.DataProtection.EntityFrameworkCore;
using Microsoft.AspNetCore.DataProtection.KeyManagement;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Contacto.Console;

internal static class ConsoleServiceCollectionExtensions
{
    /// <summary>Console users, sessions and pages, and the antiforgery tokens their forms carry.</summary>
    public static IServiceCollection AddContactoConsole(this IServiceCollection services)
    {
        services.AddOptions<ConsoleOptions>().BindConfiguration(ConsoleOptions.Section, o => o.ErrorOnUnknownConfiguration = true).ValidateOnStart();
        services.AddSingleton<IPostConfigureOptions<ConsoleOptions>, ConsolePublicUrlDefault>();
        services.AddSingleton<IValidateOptions<ConsoleOptions>, ConsoleOptionsValidator>();
        services.AddHostedService<ConsoleStartupLog>();
        services.AddSingleton(sp => new PasswordHasher(sp.GetRequiredService<IOptions<ConsoleOptions>>().Value.PasswordHashMemoryKib));
        services.AddSingleton<ConsoleUsers>();
        services.AddSingleton<ConsoleSessions>();
        services.AddSingleton<ConsolePages>();
        services.AddSingleton<ConsoleSso>();
        services.AddSingleton<ConsolePasskeys>();
        services.AddSingleton<ConsoleMessageLog>();
        services.AddSingleton<FreshRecoveryCodes>();
        services.AddSingleton<ConsoleNotices>();
        services.AddHostedService(sp => sp.GetRequiredService<ConsoleNotices>());
        services.AddHttpClient(ConsoleSso.ClientName, client =>
            {
                client.Timeout = TimeSpan.FromSeconds(10);
                client.MaxResponseContentBufferSize = ConsoleSso.MaxResponseBytes;
            })
            .UseOutboundHandler(TimeSpan.FromSeconds(10));

        // Antiforgery keys live in the database, sealed by the key service: every node accepts every node's tokens.
        services.AddDataProtection().SetApplicationName("contacto-console");
        services.AddOptions<KeyManagementOptions>().Configure<ContactoDbContextFactory, ITenantCrypto, ILoggerFactory>((o, contexts, crypto, logs) =>
        {
            o.XmlRepository = new EntityFrameworkCoreXmlRepository<ContactoDbContext>(ConsoleKeyRing.ContextProvider(contexts), logs);
            o.XmlEncryptor = new SealingXmlEncryptor(crypto);
        });
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
