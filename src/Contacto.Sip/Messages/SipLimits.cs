namespace Contacto.Sip.Messages;

/// <summary>
/// Bounds on what the parser reads. A message past any of them is refused before its parts are
/// built, so a hostile peer costs at most these sizes. The defaults take every message of
/// RFC 4475 and RFC 5118 with room to spare.
/// </summary>
public sealed record SipLimits
{
    public static readonly SipLimits Default = new();

    /// <summary>A whole message, start line to the end of the body (a UDP datagram holds at most 65,507).</summary>
    public int MaxMessageBytes { get; init; } = 65_535;

    /// <summary>Header lines, after unfolding.</summary>
    public int MaxHeaderCount { get; init; } = 128;

    /// <summary>One header line after unfolding, name included; also the start line.</summary>
    public int MaxHeaderLength { get; init; } = 4_096;

    /// <summary>Comma-separated values in one header line (Via, Contact, Route, ...).</summary>
    public int MaxValuesPerHeader { get; init; } = 32;

    /// <summary>Parameters of one value or one URI.</summary>
    public int MaxParameters { get; init; } = 32;

    /// <summary>Via values in one message (all lines together): the depth of the path a response walks back.</summary>
    public int MaxVias { get; init; } = 70;
}
