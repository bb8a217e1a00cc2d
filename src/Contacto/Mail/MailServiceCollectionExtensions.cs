using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Contacto.Mail;

internal static class MailServiceCollectionExtensions
{
    /// <summary>The SMTP relay's settings and the one sender that uses them.</summary>
    public static IServiceCollection AddContactoMail(this IServiceCollection services)
    {
        services.AddOptions<SmtpOptions>().BindConfiguration(SmtpOptions.Section, o => o.ErrorOnUnknownConfiguration = true).ValidateOnStart();
        services.AddSingleton<IValidateOptions<SmtpOptions>, SmtpOptionsValidator>();
        services.AddSingleton<Mailer>();
        return services;
    }
}
