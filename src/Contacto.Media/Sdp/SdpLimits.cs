namespace Contacto.Media.Sdp;

/// <summary>
/// Bounds on what the parser accepts, so that a hostile body costs at most this much. The
/// defaults are far above what phones and trunks send (a few hundred bytes, one or two media).
/// </summary>
public sealed record SdpLimits
{
    public static SdpLimits Default { get; } = new();

    public int MaxBytes { get; init; } = 16 * 1024;
    public int MaxLines { get; init; } = 512;
    public int MaxLineLength { get; init; } = 1024;
    public int MaxMediaDescriptions { get; init; } = 16;
    public int MaxAttributesPerSection { get; init; } = 128;
    public int MaxFormatsPerMedia { get; init; } = 64;
}
