using Contacto.Accounts;
using Contacto.Applications;
using Contacto.Api;
using Contacto.Audit;
using Contacto.Auth;
using Contacto.Carriers;
using Contacto.Console;
using Contacto.Mail;
using Contacto.Crypto;
using Contacto.Messaging;
using Contacto.Numbers;
using Contacto.Operations;
using Contacto.Platform;
using Contacto.Recordings;
using Contacto.Status;
using Contacto.Storage;
using Contacto.Tls;
using Contacto.Voice;
using Contacto.Webhooks;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Contacto;

/// <summary>Wires every capability; the server and the CLI share this.</summary>
public static class ContactoPlatform
{
    public static IServiceCollection AddContactoPlatform(this IServiceCollection services)
    {
        services.AddOptions<PlatformOptions>().Configure<Microsoft.Extensions.Configuration.IConfiguration>(
            (o, c) => o.DataDir = c["DataDir"] ?? o.DataDir).ValidateOnStart();
        services.AddSingleton<IValidateOptions<PlatformOptions>, PlatformOptionsValidator>();
        services.AddSingleton<DataDirectory>();
        services.TryAddSingleton(TimeProvider.System);
        services.AddContactoTls();
        services.AddContactoStorage();
        services.AddContactoCrypto();
        services.AddContactoAudit();
        services.AddContactoAccounts();
        services.AddContactoAuth();
        services.AddContactoWebhooks();
        services.AddContactoMail();
        services.AddContactoStatus();
        services.AddContactoConsole();
        services.AddContactoNumbers();
        services.AddContactoCarriers();
        services.AddContactoMessaging();
        services.AddContactoRecordings();
        services.AddContactoVoice();
        return services;
    }

    public static IEndpointRouteBuilder MapContacto(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapContactoOps();
        var api = endpoints.MapAccountApi();
        api.MapContactoAccounts();
        api.MapContactoAudit();
        api.MapContactoApplications();
        api.MapContactoMessaging();
        api.MapContactoVoice();
        api.MapContactoRecordings();
        api.MapContactoNumbers();
        api.MapContactoWebhooks();
        endpoints.MapContactoStatus();
        endpoints.MapContactoConsole();
        return endpoints;
    }
}
