using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Contacto.Observability;

public static class LoggingSetup
{
    /// <summary>Replaces every log provider with the redacting console formatter.</summary>
    public static ILoggingBuilder AddContactoLogging(this ILoggingBuilder logging, IConfiguration configuration, IHostEnvironment environment)
    {
        var format = configuration.GetSection("Log").Get<LogOptions>()?.Format
                     ?? (environment.IsDevelopment() ? LogFormat.Text : LogFormat.Json);
        logging.ClearProviders();
        logging.AddConsole(o => o.FormatterName = RedactingConsoleFormatter.FormatterName);
        logging.AddConsoleFormatter<RedactingConsoleFormatter, RedactingConsoleFormatterOptions>(o => o.Format = format);
        return logging;
    }
}
