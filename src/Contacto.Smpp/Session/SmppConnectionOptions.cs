using Contacto.Smpp.Protocol;

namespace Contacto.Smpp.Session;

/// <summary>Behaviour of one SMPP connection, the same on the ESME and the SMSC side.</summary>
public sealed record SmppConnectionOptions
{
    /// <summary>Requests sent and not yet answered, at most. Keep-alives do not count.</summary>
    public int WindowSize { get; init; } = 64;

    /// <summary>How long a request waits for its response before it fails.</summary>
    public TimeSpan ResponseTimeout { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// Nothing received for this long: send enquire_link. A busy link is probed every ten
    /// intervals as well, to keep the round-trip figure fresh.
    /// </summary>
    public TimeSpan EnquireLinkInterval { get; init; } = TimeSpan.FromMilliseconds(400);

    /// <summary>An enquire_link not answered within this declares the peer dead.</summary>
    public TimeSpan EnquireLinkTimeout { get; init; } = TimeSpan.FromMilliseconds(400);

    /// <summary>How often time-outs and keep-alive are checked; bounds their precision.</summary>
    public TimeSpan TickInterval { get; init; } = TimeSpan.FromMilliseconds(50);

    /// <summary>Larger command_length values end the session before anything is allocated.</summary>
    public int MaxPduLength { get; init; } = PduCodec.DefaultMaxPduLength;

    /// <summary>
    /// PDUs waiting to be written, at most. A peer that sends without reading what it is
    /// answered fills this queue; past it the connection is closed, so memory stays bounded.
    /// </summary>
    public int MaxQueuedFrames { get; init; } = 10_000;

    /// <summary>Inbound requests being handled at once; past this, requests are answered throttled.</summary>
    public int MaxInboundInFlight { get; init; } = 256;

    /// <summary>A name for logs. Never put credentials or numbers here.</summary>
    public string Name { get; init; } = "smpp";

    public void Validate()
    {
        if (WindowSize < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(WindowSize), WindowSize, "must be at least 1");
        }
        if (MaxQueuedFrames < WindowSize)
        {
            throw new ArgumentOutOfRangeException(nameof(MaxQueuedFrames), MaxQueuedFrames, "must hold at least a window");
        }
        if (MaxInboundInFlight < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(MaxInboundInFlight), MaxInboundInFlight, "must be at least 1");
        }
        if (MaxPduLength < PduCodec.HeaderLength)
        {
            throw new ArgumentOutOfRangeException(nameof(MaxPduLength), MaxPduLength, "must hold a header");
        }
        foreach (var (name, value) in new[]
                 {
                     (nameof(ResponseTimeout), ResponseTimeout), (nameof(EnquireLinkInterval), EnquireLinkInterval),
                     (nameof(EnquireLinkTimeout), EnquireLinkTimeout), (nameof(TickInterval), TickInterval),
                 })
        {
            if (value <= TimeSpan.Zero)
            {
                throw new ArgumentOutOfRangeException(name, value, "must be positive");
            }
        }
    }
}
