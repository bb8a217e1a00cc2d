namespace Contacto.Messaging;

/// <summary>Section <c>Messaging</c>: the send pipeline's limits and timings.</summary>
internal sealed class MessagingOptions
{
    public const string Section = "Messaging";

    /// <summary>Work items one dispatcher pass claims.</summary>
    public int BatchSize { get; set; } = 256;

    /// <summary>
    /// How long a claim holds. A node that dies mid-submit leaves its claimed messages for this
    /// long before another node sends them again: the duplicate window after a crash.
    /// </summary>
    public int ClaimLeaseSeconds { get; set; } = 10;

    /// <summary>How often a dispatcher looks for work queued by other nodes or left by a dead one.</summary>
    public int PollMilliseconds { get; set; } = 250;

    /// <summary>Attempts (no carrier up, throttled) before a message fails with error 90.</summary>
    public int MaxAttempts { get; set; } = 60;

    /// <summary>Messages each account may send per second (a burst of as many); 0 for no limit.</summary>
    public int AccountMessagesPerSecond { get; set; } = 1000;

    /// <summary>Longest text, in characters.</summary>
    public int MaxTextLength { get; set; } = 1600;

    /// <summary>How long the parts of a long inbound message wait for the rest; then what arrived is delivered.</summary>
    public int InboundPartsWaitSeconds { get; set; } = 300;

    /// <summary>Most destinations in one request.</summary>
    public int MaxDestinations { get; set; } = 1000;
}
