namespace Contacto.Smpp.Client;

/// <summary>
/// What became of a text sent in parts: the answer to each part submitted, in order, and the
/// failure that stopped the rest, if any. Parts already accepted keep their carrier ids even
/// when a later part failed, so nothing sent is forgotten.
/// </summary>
public sealed record TextSubmission(int SegmentCount, IReadOnlyList<SubmitResult> Parts, SmppException? Failure)
{
    /// <summary>Every part was accepted by the carrier.</summary>
    public bool IsComplete => Failure is null && Parts.Count == SegmentCount && Parts.All(p => p.IsAccepted);
}
