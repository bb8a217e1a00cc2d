namespace Contacto.Carriers;

/// <summary>
/// One protocol's way to reach carriers (SMPP binds; SIP trunks next): checks its carriers'
/// settings and opens their connections. Routing, failover, the breaker, health and metrics
/// stay with the router and work alike for every protocol.
/// </summary>
internal interface ICarrierProtocol
{
    /// <summary>The value of a carrier's <see cref="CarrierOptions.Protocol"/>.</summary>
    string Name { get; }

    /// <summary>The products its carriers carry when their settings name none.</summary>
    IReadOnlyList<string> Products { get; }

    /// <summary>Problems with the protocol's own settings of a carrier, each starting with <paramref name="key"/>.</summary>
    IEnumerable<string> Validate(CarrierOptions carrier, string key);

    /// <summary>A connection for the carrier, not started; what the carrier sends arrives at the sinks.</summary>
    ICarrierConnection Open(CarrierOptions carrier, CarrierSinks sinks);
}

/// <summary>Where a connection hands what its carrier sends.</summary>
internal sealed record CarrierSinks(ICarrierReceiptSink Receipts, ICarrierMessageSink Messages, ICarrierCallSink Calls);

/// <summary>The live link(s) to one carrier: binds of an SMPP carrier, a SIP trunk's transport.</summary>
internal interface ICarrierConnection
{
    /// <summary>True while a link can take requests.</summary>
    bool IsReady { get; }

    IReadOnlyList<LinkHealth> Links { get; }

    /// <summary>Raised when a link changes state.</summary>
    event Action<LinkHealth>? LinkChanged;

    void Start();

    Task WaitUntilReadyAsync(CancellationToken cancellationToken = default);

    /// <summary>
    /// Hands the request to the carrier. Cancellation stops it only before anything reached the
    /// carrier (then it throws <see cref="OperationCanceledException"/>): a request half on the wire is finished.
    /// </summary>
    Task<CarrierAttempt> SendAsync(CarrierRequest request, CancellationToken cancellationToken);

    /// <summary>Closes the links once requests in flight are answered.</summary>
    Task StopAsync(CancellationToken cancellationToken = default);
}

/// <summary>One link's state, for health, metrics and logs.</summary>
internal sealed record LinkHealth(string Name, bool IsUp, string State, string? Problem);

internal enum AttemptResult
{
    Accepted,

    /// <summary>The carrier asks to slow down: not the carrier's failure, and no reason to fail over.</summary>
    Throttled,

    /// <summary>The carrier refused the request (<see cref="CarrierAttempt.Error"/>); another carrier may take it.</summary>
    Refused,

    /// <summary>
    /// The request reached its destination, which turned it down (<see cref="CarrierAttempt.Error"/>):
    /// final, and no failure of the carrier's. Another carrier would only repeat it (a callee rung again).
    /// </summary>
    Declined,

    /// <summary>The link failed (down, time-out, connection lost): the carrier may never have seen it.</summary>
    LinkFailed,
}

/// <summary>What one carrier did with one request.</summary>
internal sealed record CarrierAttempt(AttemptResult Result, IReadOnlyList<string> References, int Units, CarrierError Error = CarrierError.Unknown)
{
    /// <summary>The answered call, when the request was a <see cref="CallRequest"/>.</summary>
    public ICarrierCall? Call { get; init; }

    public static CarrierAttempt Accepted(IReadOnlyList<string> references, int units) => new(AttemptResult.Accepted, references, units);

    public static CarrierAttempt Answered(ICarrierCall call) => new(AttemptResult.Accepted, [], 0) { Call = call };

    public static CarrierAttempt Declined(CarrierError error) => new(AttemptResult.Declined, [], 0, error);

    public static readonly CarrierAttempt Throttled = new(AttemptResult.Throttled, [], 0);

    public static readonly CarrierAttempt LinkFailed = new(AttemptResult.LinkFailed, [], 0);

    public static CarrierAttempt Refused(CarrierError error) => new(AttemptResult.Refused, [], 0, error);
}
