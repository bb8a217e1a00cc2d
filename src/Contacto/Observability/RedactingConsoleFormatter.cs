using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Logging.Console;
using Microsoft.Extensions.Options;

namespace Contacto.Observability;

public enum LogFormat
{
    Json,
    Text,
}

/// <summary>Section <c>Log</c>.</summary>
internal sealed class LogOptions
{
    /// <summary>JSON by default; <c>Text</c> is the default in the Development environment.</summary>
    public LogFormat? Format { get; set; }
}

/// <summary>
/// The only console output of the platform's logs: every message, property value, scope and
/// exception passes through <see cref="LogRedactor"/> before it is written, as one JSON object
/// per line or as one readable line.
/// </summary>
sealed class RedactingConsoleFormatter(IOptionsMonitor<RedactingConsoleFormatterOptions> options)
    : ConsoleFormatter(FormatterName)
{
    public const string FormatterName = "contacto";

    public override void Write<TState>(in LogEntry<TState> entry, IExternalScopeProvider? scopeProvider, TextWriter textWriter)
    {
        var message = LogRedactor.Redact(entry.Formatter(entry.State, entry.Exception));
        var exception = entry.Exception is null ? null : LogRedactor.Redact(entry.Exception.ToString());
        if (message.Length == 0 && exception is null)
            return;
        if (options.CurrentValue.Format == LogFormat.Text)
            WriteText(entry, message, exception, textWriter);
        else
            WriteJson(entry, message, exception, scopeProvider, textWriter);
    }

    static void WriteText<TState>(in LogEntry<TState> entry, string message, string? exception, TextWriter writer)
    {
        var line = new StringBuilder()
            .Append(DateTimeOffset.UtcNow.ToString("HH:mm:ss.fff")).Append(' ')
            .Append(ShortLevel(entry.LogLevel)).Append(' ')
            .Append(entry.Category).Append(": ").Append(message);
        if (exception is not null)
            line.AppendLine().Append(exception);
        writer.WriteLine(line.ToString());
    }

    static void WriteJson<TState>(in LogEntry<TState> entry, string message, string? exception, IExternalScopeProvider? scopes, TextWriter textWriter)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteString("timestamp", DateTimeOffset.UtcNow);
            json.WriteString("level", entry.LogLevel.ToString());
            json.WriteString("category", entry.Category);
            if (entry.EventId.Id != 0)
                json.WriteNumber("eventId", entry.EventId.Id);
            json.WriteString("message", message);
            if (exception is not null)
                json.WriteString("exception", exception);
            if (entry.State is IReadOnlyList<KeyValuePair<string, object?>> properties)
            {
                json.WriteStartObject("properties");
                foreach (var (key, value) in properties)
                    if (key != "{OriginalFormat}")
                        json.WriteString(key, LogRedactor.Redact(Convert.ToString(value, System.Globalization.CultureInfo.InvariantCulture)));
                json.WriteEndObject();
            }
            if (scopes is not null)
            {
                json.WriteStartArray("scopes");
                scopes.ForEachScope((scope, writer) => writer.WriteStringValue(LogRedactor.Redact(Convert.ToString(scope, System.Globalization.CultureInfo.InvariantCulture))), json);
                json.WriteEndArray();
            }
            json.WriteEndObject();
        }
        textWriter.WriteLine(Encoding.UTF8.GetString(buffer.GetBuffer(), 0, (int)buffer.Length));
    }

    static string ShortLevel(LogLevel level) => level switch
    {
        LogLevel.Trace => "trce",
        LogLevel.Debug => "dbug",
        LogLevel.Information => "info",
        LogLevel.Warning => "warn",
        LogLevel.Error => "fail",
        LogLevel.Critical => "crit",
        _ => "none",
    };
}

sealed class RedactingConsoleFormatterOptions : ConsoleFormatterOptions
{
    public LogFormat Format { get; set; } = LogFormat.Json;
}
