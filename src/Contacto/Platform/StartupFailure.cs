using System.Net.Sockets;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Options;

namespace Contacto.Platform;

/// <summary>
/// Turns the ways a start can fail on bad configuration into one clear line, or null for a fault
/// that is not the operator's (which then surfaces as the bug it is).
/// </summary>
public static partial class StartupFailure
{
    public static string? Describe(Exception e) => e switch
    {
        ConfigurationException c => $"configuration error: {c.Message}",
        OptionsValidationException v => $"configuration error: {string.Join("; ", v.Failures)}",
        InvalidOperationException i when IsBinderError(i) => $"configuration error: {DescribeBinderError(i.Message)}",
        IOException { InnerException: Microsoft.AspNetCore.Connections.AddressInUseException } or
            SocketException { SocketErrorCode: SocketError.AddressAlreadyInUse } => $"cannot listen: {e.Message}",
        AggregateException { InnerExceptions.Count: 1 } a => Describe(a.InnerExceptions[0]),
        _ => null,
    };

    /// <summary>The binder names an unknown key by class; say it as the configuration key it is.</summary>
    static string DescribeBinderError(string message)
    {
        var unknown = UnknownKeys().Match(message);
        if (!unknown.Success)
            return message;
        var optionsType = AppDomain.CurrentDomain.GetAssemblies()
            .Select(a => a.GetType(unknown.Groups["type"].Value)).FirstOrDefault(t => t is not null);
        var section = optionsType?.GetField("Section")?.GetValue(null) as string;
        var keys = unknown.Groups["keys"].Value.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)
            .Select(k => section is null ? k.Trim('\'') : $"{section}:{k.Trim('\'')}");
        return $"{string.Join(", ", keys)}: not a known setting";
    }

    [GeneratedRegex(@"not found on the instance of (?<type>[\w.]+): (?<keys>.+)$")]
    private static partial Regex UnknownKeys();

    // Binding errors (a value of the wrong type, an unknown key) come from the configuration binder.
    static bool IsBinderError(InvalidOperationException e) =>
        e.StackTrace?.Contains("Microsoft.Extensions.Configuration.ConfigurationBinder", StringComparison.Ordinal) == true;
}
