using Microsoft.Extensions.Options;

namespace Contacto.Voice;

/// <summary>Prompts (<c>Play</c> URLs) as calls fetch them: the section <c>Voice:Prompts</c>.</summary>
internal sealed class PromptOptions
{
    public const string Section = "Voice:Prompts";

    /// <summary>The largest prompt file fetched, before decoding (Plivo plays files up to about this size).</summary>
    public int MaxBytes { get; set; } = 10 * 1024 * 1024;

    /// <summary>The longest prompt after decoding.</summary>
    public int MaxDurationSeconds { get; set; } = 600;

    /// <summary>One deadline for a whole fetch: connecting, TLS, every redirect and reading the file.</summary>
    public int TimeoutSeconds { get; set; } = 15;

    public int MaxRedirects { get; set; } = 3;

    /// <summary>Decoded prompts kept in memory, by account and URL (8 kHz 16-bit: about 1 MB a minute).</summary>
    public int CacheMegabytes { get; set; } = 64;

    /// <summary>How long a cached prompt is played without fetching it again, unless its answer asked for less.</summary>
    public int CacheSeconds { get; set; } = 600;
}

internal sealed class PromptOptionsValidator : IValidateOptions<PromptOptions>
{
    public ValidateOptionsResult Validate(string? name, PromptOptions o)
    {
        const string s = PromptOptions.Section;
        var errors = new List<string>();
        if (o.MaxBytes is < 1024 or > 100 * 1024 * 1024)
            errors.Add($"{s}:MaxBytes: must be between 1024 and 104857600 (got {o.MaxBytes})");
        if (o.MaxDurationSeconds is < 1 or > 3600)
            errors.Add($"{s}:MaxDurationSeconds: must be between 1 and 3600 (got {o.MaxDurationSeconds})");
        if (o.TimeoutSeconds is < 1 or > 120)
            errors.Add($"{s}:TimeoutSeconds: must be between 1 and 120 (got {o.TimeoutSeconds})");
        if (o.MaxRedirects is < 0 or > 10)
            errors.Add($"{s}:MaxRedirects: must be between 0 and 10 (got {o.MaxRedirects})");
        if (o.CacheMegabytes is < 0 or > 4096)
            errors.Add($"{s}:CacheMegabytes: must be between 0 and 4096 (got {o.CacheMegabytes})");
        if (o.CacheSeconds is < 0 or > 86400)
            errors.Add($"{s}:CacheSeconds: must be between 0 and 86400 (got {o.CacheSeconds})");
        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
