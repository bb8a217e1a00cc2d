using Contacto.Accounts;
using Contacto.Applications;
using Contacto.Carriers;
using Contacto.Numbers;
using Contacto.Webhooks;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Contacto.Messaging;

public static class MessagingServiceCollectionExtensions
{
    /// <summary>The Message and Number APIs' services, and the sinks of the carriers' receipts and inbound texts (without the workers).</summary>
    public static IServiceCollection AddContactoMessaging(this IServiceCollection services)
    {
        services.AddOptions<MessagingOptions>().BindConfiguration(MessagingOptions.Section, o => o.ErrorOnUnknownConfiguration = true).ValidateOnStart();
        services.AddSingleton<IValidateOptions<MessagingOptions>, MessagingOptionsValidator>();
        services.AddSingleton<MessagingMetrics>();
        services.AddSingleton<MessageSignal>();
        services.AddSingleton<MessageHandoff>();
        services.AddSingleton<MessageCallbacks>();
        services.AddSingleton<MessageService>();
        services.AddSingleton<MessageLogReader>();
        services.AddSingleton<ReceiptRecorder>();
        services.AddSingleton<ICarrierReceiptSink>(sp => sp.GetRequiredService<ReceiptRecorder>());
        services.AddSingleton<InboundRecorder>();
        services.AddSingleton<ICarrierMessageSink>(sp => sp.GetRequiredService<InboundRecorder>());
        services.AddSingleton<IWebhookOutcomeHandler, InboundReplies>();
        return services;
    }

    /// <summary>
    /// The receipt and inbound recorders and the dispatcher. Registered in this order so they stop
    /// in the reverse one: the dispatcher first; register them after the carriers' connections,
    /// which stop last.
    /// </summary>
    public static IServiceCollection AddContactoMessagingWorkers(this IServiceCollection services)
    {
        services.AddHostedService(sp => sp.GetRequiredService<ReceiptRecorder>());
        services.AddHostedService(sp => sp.GetRequiredService<InboundRecorder>());
        services.AddHostedService<MessageDispatcher>();
        return services;
    }
}

sealed class MessagingOptionsValidator : IValidateOptions<MessagingOptions>
{
    public ValidateOptionsResult Validate(string? name, MessagingOptions options)
    {
        var problems = new List<string>();
        if (options.BatchSize is < 1 or > 10_000)
            problems.Add("Messaging:BatchSize must be from 1 to 10000");
        if (options.ClaimLeaseSeconds is < 1 or > 3600)
            problems.Add("Messaging:ClaimLeaseSeconds must be from 1 to 3600");
        if (options.PollMilliseconds is < 10 or > 60_000)
            problems.Add("Messaging:PollMilliseconds must be from 10 to 60000");
        if (options.MaxAttempts < 1 || options.AccountMessagesPerSecond < 0)
            problems.Add("Messaging:MaxAttempts must be positive and AccountMessagesPerSecond not negative");
        if (options.InboundPartsWaitSeconds is < 1 or > 86_400)
            problems.Add("Messaging:InboundPartsWaitSeconds must be from 1 to 86400");
        if (options.MaxTextLength is < 1 or > 10_000 || options.MaxDestinations is < 1 or > 10_000)
            problems.Add("Messaging:MaxTextLength and MaxDestinations must be from 1 to 10000");
        return problems.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(problems);
    }
}
