using Microsoft.Extensions.Options;

namespace Contacto.Platform;

/// <summary>Top-level settings that every part of the platform shares.</summary>
public sealed class PlatformOptions
{
    /// <summary>Key <c>DataDir</c>, <c>--data-dir</c> or <c>CONTACTO_DATA_DIR</c>.</summary>
    public string DataDir { get; set; } = "data";
}

sealed class PlatformOptionsValidator : IValidateOptions<PlatformOptions>
{
    public ValidateOptionsResult Validate(string? name, PlatformOptions options) =>
        string.IsNullOrWhiteSpace(options.DataDir)
            ? ValidateOptionsResult.Fail("DataDir: must name a directory")
            : ValidateOptionsResult.Success;
}
