using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Contacto.Webhooks;

public static class WebhooksServiceCollectionExtensions
{
    public static IServiceCollection AddContactoWebhooks(this IServiceCollection services)
    {
        services.AddOptions<WebhookOptions>().BindConfiguration(WebhookOptions.Section, o => o.ErrorOnUnknownConfiguration = true).ValidateOnStart();
        services.AddSingleton<IValidateOptions<WebhookOptions>, WebhookOptionsValidator>();
        services.AddSingleton<OutboundUrlPolicy>();
        services.AddSingleton<WebhookClient>();
        services.AddSingleton<WebhookOutbox>();
        services.AddSingleton<SigningTokens>();
        return services;
    }

    /// <summary>The sender runs only in the server.</summary>
    public static IServiceCollection AddContactoWebhookWorkers(this IServiceCollection services)
    {
        services.AddSingleton<WebhookSender>();
        services.AddHostedService(sp => sp.GetRequiredService<WebhookSender>());
        return services;
    }
}
