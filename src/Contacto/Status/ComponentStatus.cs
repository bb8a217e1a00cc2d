using System.Text.Json;

namespace Contacto.Status;

/// <summary>A component's status, with Statuspage's values; ordered from best to worst.</summary>
public enum ComponentStatus
{
    Operational,
    UnderMaintenance,
    DegradedPerformance,
    PartialOutage,
    MajorOutage,
}

/// <summary>Enum values as Statuspage writes them: <c>MajorOutage</c> is <c>major_outage</c>.</summary>
internal static class WireNames
{
    public static string Of<T>(T value) where T : struct, Enum => JsonNamingPolicy.SnakeCaseLower.ConvertName(value.ToString());

    public static bool TryParse<T>(string? text, out T value) where T : struct, Enum
    {
        foreach (var candidate in Enum.GetValues<T>())
            if (string.Equals(Of(candidate), text, StringComparison.Ordinal))
            {
                value = candidate;
                return true;
            }
        value = default;
        return false;
    }

    public static string All<T>() where T : struct, Enum => string.Join(", ", Enum.GetValues<T>().Select(Of));

    /// <summary>For people: <c>major_outage</c> is "Major outage".</summary>
    public static string Label<T>(T value) where T : struct, Enum
    {
        var words = Of(value).Replace('_', ' ');
        return char.ToUpperInvariant(words[0]) + words[1..];
    }
}
