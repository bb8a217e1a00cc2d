namespace Contacto.Carriers;

/// <summary>How an established call ended.</summary>
internal enum CallEnd
{
    /// <summary>This side hung up.</summary>
    HungUpHere,

    /// <summary>The far end hung up.</summary>
    HungUpThere,

    /// <summary>The call was lost: the far end never confirmed the answer, or stopped answering.</summary>
    Lost,
}

/// <summary>
/// An established call with a carrier, placed or taken, in no protocol's terms: what the call
/// engine follows and ends. The media flow is the engine's; the carrier only agreed on it.
/// </summary>
internal interface ICarrierCall
{
    string Carrier { get; }

    /// <summary>The far end's media description: its answer to this side's offer, or its offer to a call taken here.</summary>
    ReadOnlyMemory<byte> RemoteMedia { get; }

    /// <summary>Completes when the call ends, with how.</summary>
    Task<CallEnd> Ended { get; }

    /// <summary>Ends the call; it is over whatever the far end answers.</summary>
    Task HangUpAsync(CancellationToken cancellationToken = default);

    /// <summary>A new offer inside the call (hold, resume, other media); the far end's answer, or null when it refused.</summary>
    Task<ReadOnlyMemory<byte>?> RenegotiateAsync(ReadOnlyMemory<byte> offer, CancellationToken cancellationToken = default);
}

/// <summary>
/// A call a carrier offers this platform, to answer once: ring (with early media or not), accept
/// with a media answer, or reject. Numbers are as the carrier wrote them.
/// </summary>
internal abstract class InboundCall(string carrier, string from, string to, ReadOnlyMemory<byte> offer)
{
    public string Carrier { get; } = carrier;

    public string From { get; } = from;

    public string To { get; } = to;

    /// <summary>The caller's media offer (SDP); empty when the caller waits for this side's offer.</summary>
    public ReadOnlyMemory<byte> Offer { get; } = offer;

    /// <summary>Completes when the caller gave up before an answer.</summary>
    public abstract Task Cancelled { get; }

    /// <summary>Tells the caller the callee is alerted; with <paramref name="earlyMedia"/>, media flows before the answer.</summary>
    public abstract void Ring(ReadOnlyMemory<byte> earlyMedia = default);

    /// <summary>Answers with a media answer: the call is established.</summary>
    public abstract ICarrierCall Accept(ReadOnlyMemory<byte> answer);

    /// <summary>Refuses the call, saying why in the platform's terms (each protocol maps them to its codes).</summary>
    public abstract void Reject(CarrierError reason);
}

/// <summary>
/// Where carriers hand the calls they offer (the voice capability). It answers through the
/// <see cref="InboundCall"/>, now or later; when it throws, the call is refused as unavailable.
/// </summary>
internal interface ICarrierCallSink
{
    Task OfferAsync(InboundCall call, CancellationToken cancellationToken);
}

/// <summary>
/// The sink until a voice capability registers its own: every offered call is refused as
/// temporarily unavailable (SIP 480), so a caller's carrier can try elsewhere or tell the caller.
/// </summary>
internal sealed class UnavailableCallSink : ICarrierCallSink
{
    public Task OfferAsync(InboundCall call, CancellationToken cancellationToken)
    {
        call.Reject(CarrierError.TemporarilyUnavailable);
        return Task.CompletedTask;
    }
}
