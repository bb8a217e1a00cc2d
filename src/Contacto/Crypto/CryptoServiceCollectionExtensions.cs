using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Contacto.Crypto;

public static class CryptoServiceCollectionExtensions
{
    /// <summary>
    /// Registers <see cref="ITenantCrypto"/>, <see cref="ITenantKeyAdministration"/>, the configured KEK
    /// provider (opened at start, so bad key material stops the process) and the maintenance worker
    /// that carries out due crypto-shreddings. Keys live in <typeparamref name="TContext"/>.
    /// </summary>
    public static IServiceCollection AddContactoCrypto<TContext>(this IServiceCollection services, Action<CryptoOptions> configure)
        where TContext : DbContext
    {
        services.AddOptions<CryptoOptions>().Configure(configure).ValidateOnStart();
        services.AddSingleton<IValidateOptions<CryptoOptions>, CryptoOptionsValidator>();
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<IKeyAuditSink, LoggingKeyAuditSink>();
        services.TryAddSingleton<IDataKeyStore, EfDataKeyStore<TContext>>();
        services.AddSingleton<IKekProvider>(provider => OpenKekProvider(provider.GetRequiredService<IOptions<CryptoOptions>>().Value));
        services.AddSingleton(provider => new TenantKeyService(
            provider.GetRequiredService<IKekProvider>(),
            provider.GetRequiredService<IDataKeyStore>(),
            provider.GetRequiredService<IKeyAuditSink>(),
            provider.GetRequiredService<TimeProvider>(),
            provider.GetRequiredService<IOptions<CryptoOptions>>().Value));
        services.AddSingleton<ITenantKeyAdministration>(provider => provider.GetRequiredService<TenantKeyService>());
        services.AddSingleton<ITenantCrypto, TenantCrypto>();
        services.AddHostedService<KeyMaintenanceService>();
        return services;
    }

    internal static IKekProvider OpenKekProvider(CryptoOptions options)
    {
        if (options.Provider == KekProviderKind.Local)
        {
            return new LocalKeyring(options.Local);
        }
        var pin = options.Pkcs11.ReadPin();
        try
        {
            return new Pkcs11Kek(options.Pkcs11.ModulePath, options.Pkcs11.TokenLabel, pin, options.Pkcs11.KeyLabelPrefix);
        }
        finally
        {
            System.Security.Cryptography.CryptographicOperations.ZeroMemory(pin);
        }
    }
}
