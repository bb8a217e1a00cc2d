using Microsoft.Extensions.DependencyInjection;

namespace Contacto.Accounts;

internal static class AccountsServiceCollectionExtensions
{
    public static IServiceCollection AddContactoAccounts(this IServiceCollection services)
    {
        services.AddSingleton<AccountFields>();
        services.AddSingleton<AccountService>();
        services.AddSingleton<AccountViews>();
        services.AddSingleton<LiveAccounts>();
        return services;
    }
}
