using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Contacto.Tls;

public static class TlsServiceCollectionExtensions
{
    public static IServiceCollection AddContactoTls(this IServiceCollection services)
    {
        services.AddOptions<TlsOptions>().BindConfiguration(TlsOptions.Section, o => o.ErrorOnUnknownConfiguration = true).ValidateOnStart();
        services.AddSingleton<IValidateOptions<TlsOptions>, TlsOptionsValidator>();
        services.AddSingleton<ServerCertificateStore>();
        return services;
    }

    /// <summary>Renewal runs only in the server, not in one-shot CLI commands.</summary>
    public static IServiceCollection AddContactoCertificateRenewal(this IServiceCollection services) =>
        services.AddHostedService<CertificateRenewalService>();
}
