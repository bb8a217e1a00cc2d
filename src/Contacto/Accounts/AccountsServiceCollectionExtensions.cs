using Contacto.Auth;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Contacto.Accounts;

public static class AccountsServiceCollectionExtensions
{
    /// <summary>Accounts and the API authentication that stands on them.</summary>
    public static IServiceCollection AddContactoAccounts(this IServiceCollection services)
    {
        services.AddSingleton<AccountFields>();
        services.AddSingleton<AccountService>();
        services.AddSingleton<AccountViews>();
        services.AddSingleton<LiveAccounts>();

        services.AddOptions<AuthThrottleOptions>().BindConfiguration(AuthThrottleOptions.Section, o => o.ErrorOnUnknownConfiguration = true).ValidateOnStart();
        services.AddSingleton<IValidateOptions<AuthThrottleOptions>, AuthThrottleOptionsValidator>();
        services.AddSingleton<AuthThrottle>();
        services.AddOptions<SignInRecordOptions>().BindConfiguration(SignInRecordOptions.Section, o => o.ErrorOnUnknownConfiguration = true)
            .Validate(o => o.RecordSeconds is >= 0 and <= 3600, "Auth:SignIns:RecordSeconds: must be between 0 and 3600")
            .ValidateOnStart();
        services.AddSingleton<SignInRecords>();
        services.AddSingleton<AuthMetrics>();
        services.TryAddSingleton<ISecurityEventSink, LoggingSecurityEventSink>();
        services.AddAuthentication().AddScheme<ApiAuthenticationOptions, ApiAuthenticationHandler>(ApiAuthenticationOptions.Scheme, null);
        services.AddAuthorization();
        return services;
    }
}
