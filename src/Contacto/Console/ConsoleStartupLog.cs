using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Contacto.Console;

/// <summary>Says at start which public address invitation links and passkeys use, and where it came from.</summary>
internal sealed partial class ConsoleStartupLog(IOptions<ConsoleOptions> options, ILogger<ConsoleStartupLog> logger) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        var o = options.Value;
        if (o.PublicUrlFromListener)
            PublicUrlFromListener(logger, o.PublicUrl);
        else
            PublicUrlSet(logger, o.PublicUrl);
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    [LoggerMessage(EventId = 900, Level = LogLevel.Information,
        Message = "Console links use {PublicUrl}, the public listener's address (Console:PublicUrl is not set; set it to the address users reach)")]
    static partial void PublicUrlFromListener(ILogger logger, string publicUrl);

    [LoggerMessage(EventId = 901, Level = LogLevel.Information, Message = "Console links use {PublicUrl} (Console:PublicUrl)")]
    static partial void PublicUrlSet(ILogger logger, string publicUrl);
}
