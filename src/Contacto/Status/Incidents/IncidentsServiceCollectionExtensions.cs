using Contacto.Status.Incidents.Paging;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using static Contacto.Webhooks.OutboundHttp;

namespace Contacto.Status.Incidents;

static class IncidentsServiceCollectionExtensions
{
    /// <summary>Incidents, maintenance windows and paging through the outbox: part of <see cref="StatusServiceCollectionExtensions.AddContactoStatus"/>.</summary>
    internal static IServiceCollection AddIncidents(this IServiceCollection services)
    {
        services.AddSingleton<IncidentService>();
        services.AddOptions<PagingOptions>().BindConfiguration(PagingOptions.Section, o => o.ErrorOnUnknownConfiguration = true).ValidateOnStart();
        services.AddSingleton<IValidateOptions<PagingOptions>, PagingOptionsValidator>();
        services.AddSingleton<Pager>();
        services.AddMetrics();
        services.AddSingleton<PagingMetrics>();
        services.AddSingleton<PageDispatcher>();
        services.AddHostedService(sp => sp.GetRequiredService<PageDispatcher>());
        // No request logging: a webhook URL (Slack's, for one) is itself a secret.
        services.AddHttpClient(HttpDelivery.ClientName, client => client.Timeout = TimeSpan.FromSeconds(15))
            .UseOutboundHandler(TimeSpan.FromSeconds(15))
            .RemoveAllLoggers();
        services.AddSingleton<IPageSender, PagerDutySender>();
        services.AddSingleton<IPageSender, WebhookSender>();
        services.AddSingleton<IPageSender, EmailSender>();
        return services;
    }
}
