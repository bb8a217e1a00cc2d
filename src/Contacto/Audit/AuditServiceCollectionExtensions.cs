using Contacto.Crypto;
using Contacto.Storage;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Contacto.Audit;

public static class AuditServiceCollectionExtensions
{
    /// <summary>The audit trail, its signed tree heads and their anchors, the API request log, and the sinks that route security and key events into it.</summary>
    public static IServiceCollection AddContactoAudit(this IServiceCollection services)
    {
        services.AddOptions<AuditOptions>().BindConfiguration(AuditOptions.Section, o => o.ErrorOnUnknownConfiguration = true).ValidateOnStart();
        services.AddSingleton<IValidateOptions<AuditOptions>, AuditOptionsValidator>();
        services.AddSingleton<AuditMac>();
        services.AddSingleton<IStorageStartupTask, AuditKeyWarmup>();
        services.AddSingleton<AuditChain>();
        services.AddSingleton<AuditWriter>();
        services.AddSingleton<IAuditTrail, AuditTrail>();
        services.AddSingleton<AuditLogReader>();
        services.AddSingleton<AuditHeadKey>();
        services.AddSingleton<AuditAnchors>();
        services.AddSingleton<AuditVerifier>();
        services.AddSingleton<ApiLogWriter>();
        services.AddSingleton<FailedAuthentications>();
        services.AddSingleton<ISecurityEventSink, AuditSecurityEventSink>();
        services.Replace(ServiceDescriptor.Singleton<IKeyAuditSink, AuditKeyAuditSink>());
        return services;
    }

    /// <summary>Background work that only the server runs.</summary>
    public static IServiceCollection AddContactoAuditWorkers(this IServiceCollection services)
    {
        services.AddSingleton<AuditHeadService>();
        services.AddHostedService(sp => sp.GetRequiredService<AuditHeadService>());
        services.AddSingleton<ApiLogRetentionService>();
        services.AddHostedService(sp => sp.GetRequiredService<ApiLogRetentionService>());
        services.AddHostedService<FailedAuthenticationWriter>();
        return services;
    }
}
