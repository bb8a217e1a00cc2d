namespace Contacto.Carriers;

/// <summary>Why a carrier refused a request or could not deliver it, in the platform's terms (each protocol maps its own codes).</summary>
public enum CarrierError
{
    Unknown,
    NetworkError,
    InvalidSource,
    InvalidDestination,
    Prohibited,
    PermanentlyUnavailable,
    TemporarilyUnavailable,

    /// <summary>A call's callee is busy.</summary>
    Busy,

    /// <summary>A call's callee turned it down.</summary>
    Declined,

    /// <summary>The far end cannot take a call's media as offered.</summary>
    MediaNotAcceptable,

    /// <summary>A call was cancelled on this side before it was answered.</summary>
    Cancelled,
}

internal enum CarrierOutcomeKind
{
    /// <summary>A carrier took the request: <see cref="CarrierOutcome.Carrier"/> and its references.</summary>
    Accepted,

    /// <summary>No carrier took it for now (throttled, or none available): try again after <see cref="CarrierOutcome.RetryAfter"/>.</summary>
    TemporaryFailure,

    /// <summary>Every carrier tried refused it for good: <see cref="CarrierOutcome.Error"/> says why.</summary>
    Refused,

    /// <summary>No carrier serves the country and product at all.</summary>
    NoCarrier,
}

/// <summary>What the router made of a request, after failing over as far as it could.</summary>
internal sealed record CarrierOutcome(CarrierOutcomeKind Kind)
{
    /// <summary>The carrier that took the request.</summary>
    public string? Carrier { get; init; }

    /// <summary>The carrier's references for what it took, one per unit sent (the parts of a long text), as its receipts name them.</summary>
    public IReadOnlyList<string> References { get; init; } = [];

    /// <summary>The established call, for a <see cref="CallRequest"/> that was answered.</summary>
    public ICarrierCall? Call { get; init; }

    /// <summary>Units the request took on the carrier (segments of a text).</summary>
    public int Units { get; init; }

    public CarrierError Error { get; init; }

    public TimeSpan RetryAfter { get; init; }

    public static CarrierOutcome Accepted(string carrier, IReadOnlyList<string> references, int units, ICarrierCall? call = null) =>
        new(CarrierOutcomeKind.Accepted) { Carrier = carrier, References = references, Units = units, Call = call };

    public static CarrierOutcome TemporaryFailure(TimeSpan retryAfter) => new(CarrierOutcomeKind.TemporaryFailure) { RetryAfter = retryAfter };

    public static CarrierOutcome Refused(CarrierError error) => new(CarrierOutcomeKind.Refused) { Error = error };

    public static readonly CarrierOutcome NoCarrier = new(CarrierOutcomeKind.NoCarrier);
}
