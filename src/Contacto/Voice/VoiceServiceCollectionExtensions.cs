using System.Net;
using Contacto.Media.Engine;
using Contacto.Media.Speech;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Contacto.Voice;

public static class VoiceServiceCollectionExtensions
{
    /// <summary>Voice: the Call API's services, the media engine, speech, and the prompts calls play (without the call engine).</summary>
    public static IServiceCollection AddContactoVoice(this IServiceCollection services)
    {
        services.AddOptions<PromptOptions>().BindConfiguration(PromptOptions.Section, o => o.ErrorOnUnknownConfiguration = true).ValidateOnStart();
        services.AddSingleton<IValidateOptions<PromptOptions>, PromptOptionsValidator>();
        services.AddOptions<CallOptions>().BindConfiguration(CallOptions.Section, o => o.ErrorOnUnknownConfiguration = true).ValidateOnStart();
        services.AddOptions<VoiceMediaOptions>().BindConfiguration(VoiceMediaOptions.Section, o => o.ErrorOnUnknownConfiguration = true).ValidateOnStart();
        services.AddSingleton<IValidateOptions<CallOptions>, VoiceOptionsValidator>();
        services.AddSingleton<IValidateOptions<VoiceMediaOptions>, VoiceOptionsValidator>();
        services.AddSingleton<PromptFetcher>();
        services.AddSingleton<CallSignal>();
        services.AddSingleton<CallService>();
        services.AddSingleton<CallRecords>();
        services.AddSingleton<LiveCalls>();
        services.AddSingleton<CallRecordings>();
        return services;
    }

    /// <summary>The call engine and what only it uses: media (RTP ports are taken when the first call starts), speech, the runner.</summary>
    public static IServiceCollection AddContactoVoiceWorkers(this IServiceCollection services)
    {
        services.AddSingleton(sp =>
        {
            var media = sp.GetRequiredService<IOptions<VoiceMediaOptions>>().Value;
            return new MediaEngine(new MediaEngineOptions { BindAddress = IPAddress.Parse(media.BindAddress), MinPort = media.MinPort, MaxPort = media.MaxPort },
                sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<ILoggerFactory>().CreateLogger<MediaEngine>());
        });
        services.AddSingleton<ISpeechEngine>(_ => new CachingSpeechEngine(new ProcessSpeechEngine()));
        services.AddSingleton<VoiceApp>();
        services.AddSingleton<CallRunner>();
        services.AddHostedService<CallEngine>();
        return services;
    }
}
