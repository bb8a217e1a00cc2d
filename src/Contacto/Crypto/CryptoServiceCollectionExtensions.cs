using Contacto.Platform;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Contacto.Crypto;

internal static class CryptoServiceCollectionExtensions
{
    /// <summary>
    /// Registers <see cref="ITenantCrypto"/>, <see cref="ITenantKeyAdministration"/>, the KEK provider
    /// chosen by the <c>Crypto</c> section (opened at start, so bad key material stops the process)
    /// and the maintenance worker that carries out due crypto-shreddings. Needs the platform's
    /// data directory and storage.
    /// </summary>
    public static IServiceCollection AddContactoCrypto(this IServiceCollection services, Action<CryptoOptions>? configure = null)
    {
        var options = services.AddOptions<CryptoOptions>()
            .BindConfiguration(CryptoOptions.Section, o => o.ErrorOnUnknownConfiguration = true)
            .ValidateOnStart();
        if (configure is not null)
        {
            options.Configure(configure);
        }
        services.AddSingleton<IValidateOptions<CryptoOptions>, CryptoOptionsValidator>();
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<IKeyAuditSink, LoggingKeyAuditSink>();
        services.TryAddSingleton<IDataKeyStore, EfDataKeyStore>();
        services.AddSingleton<IKekProvider>(provider => OpenKekProvider(
            provider.GetRequiredService<IOptions<CryptoOptions>>().Value, provider.GetRequiredService<DataDirectory>()));
        services.AddSingleton(provider => new TenantKeyService(
            provider.GetRequiredService<IKekProvider>(),
            provider.GetRequiredService<IDataKeyStore>(),
            provider.GetRequiredService<IKeyAuditSink>(),
            provider.GetRequiredService<TimeProvider>(),
            provider.GetRequiredService<IOptions<CryptoOptions>>().Value));
        services.AddSingleton<ITenantKeyAdministration>(provider => provider.GetRequiredService<TenantKeyService>());
        services.AddSingleton<ITenantCrypto, TenantCrypto>();
        services.AddSingleton<ReEncryptionJob>();
        services.AddHostedService<KeyMaintenanceService>();
        return services;
    }

    private static IKekProvider OpenKekProvider(CryptoOptions options, DataDirectory dataDirectory)
    {
        if (options.Provider == KekProviderKind.Local)
        {
            // The data directory creates {data}/keys owner-only, or refuses one open to others.
            options.Local.KeysDirectory ??= dataDirectory.Ensure("keys");
            return new LocalKeyring(options.Local);
        }
        var pin = options.Pkcs11.ReadPin();
        try
        {
            return new Pkcs11Kek(options.Pkcs11, pin);
        }
        finally
        {
            System.Security.Cryptography.CryptographicOperations.ZeroMemory(pin);
        }
    }
}
