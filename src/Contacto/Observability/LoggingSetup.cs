using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Contacto.Observability;

public static class LoggingSetup
{
    /// <summary>
    /// Categories that log every request with its path and query (the host's request lines,
    /// routing, authentication, HttpClient's outbound URLs) and so are quiet unless configured:
    /// paths and queries carry numbers, and URLs may carry secrets. <c>Logging:LogLevel:CATEGORY</c>
    /// (or a more specific category) turns one up again.
    /// </summary>
    public static readonly IReadOnlyDictionary<string, LogLevel> QuietByDefault = new Dictionary<string, LogLevel>
    {
        ["Microsoft.AspNetCore"] = LogLevel.Warning,
        ["System.Net.Http.HttpClient"] = LogLevel.Warning,
        ["Contacto.Auth.ApiAuthenticationHandler"] = LogLevel.Warning, // the base class's line per refused request
    };

    /// <summary>Replaces every log provider with the redacting console formatter.</summary>
    public static ILoggingBuilder AddContactoLogging(this ILoggingBuilder logging, IConfiguration configuration, IHostEnvironment environment)
    {
        var format = configuration.GetSection("Log").Get<LogOptions>()?.Format
                     ?? (environment.IsDevelopment() ? LogFormat.Text : LogFormat.Json);
        foreach (var (category, level) in QuietByDefault)
            if (configuration[$"Logging:LogLevel:{category}"] is null)
                logging.AddFilter(category, level);
        logging.ClearProviders();
        logging.AddConsole(o => o.FormatterName = RedactingConsoleFormatter.FormatterName);
        logging.AddConsoleFormatter<RedactingConsoleFormatter, RedactingConsoleFormatterOptions>(o => o.Format = format);
        return logging;
    }
}
