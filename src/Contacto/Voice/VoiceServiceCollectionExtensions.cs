using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Contacto.Voice;

internal static class VoiceServiceCollectionExtensions
{
    /// <summary>Voice: so far the prompts calls play, fetched from customers' URLs.</summary>
    public static IServiceCollection AddContactoVoice(this IServiceCollection services)
    {
        services.AddOptions<PromptOptions>().BindConfiguration(PromptOptions.Section, o => o.ErrorOnUnknownConfiguration = true).ValidateOnStart();
        services.AddSingleton<IValidateOptions<PromptOptions>, PromptOptionsValidator>();
        services.AddSingleton<PromptFetcher>();
        return services;
    }
}
