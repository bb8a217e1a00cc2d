using Contacto.Api;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Contacto.Auth;

internal static class AuthServiceCollectionExtensions
{
    /// <summary>The account API's authentication scheme, its throttle and sign-in records; it stands on Accounts and Audit.</summary>
    public static IServiceCollection AddContactoAuth(this IServiceCollection services)
    {
        services.AddOptions<AuthThrottleOptions>().BindConfiguration(AuthThrottleOptions.Section, o => o.ErrorOnUnknownConfiguration = true).ValidateOnStart();
        services.AddSingleton<IValidateOptions<AuthThrottleOptions>, AuthThrottleOptionsValidator>();
        services.AddSingleton<AuthThrottle>();
        services.AddOptions<SignInRecordOptions>().BindConfiguration(SignInRecordOptions.Section, o => o.ErrorOnUnknownConfiguration = true)
            .Validate(o => o.RecordSeconds is >= 0 and <= 3600, "Auth:SignIns:RecordSeconds: must be between 0 and 3600")
            .ValidateOnStart();
        services.AddSingleton<SignInRecords>();
        services.AddSingleton<AuthMetrics>();
        services.AddAuthentication().AddScheme<ApiAuthenticationOptions, ApiAuthenticationHandler>(AccountApi.Scheme, null);
        services.AddAuthorization();
        return services;
    }
}
