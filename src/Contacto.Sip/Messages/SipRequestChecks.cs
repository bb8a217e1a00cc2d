namespace Contacto.Sip.Messages;

/// <summary>What a user agent server takes: the option tags it supports and the bodies it reads and writes.</summary>
public sealed record SipRequestPolicy
{
    public static readonly SipRequestPolicy Default = new();

    public IReadOnlyList<string> SupportedOptions { get; init; } = [];

    /// <summary>Body types it reads (Content-Type), without parameters: SDP, DTMF in INFO, REFER's NOTIFY.</summary>
    public IReadOnlyList<string> AcceptedContentTypes { get; init; } = ["application/sdp", "application/dtmf-relay", "message/sipfrag"];

    /// <summary>Body types its answers to an INVITE carry; an Accept naming none of them gets 406.</summary>
    public IReadOnlyList<string> AnswerContentTypes { get; init; } = ["application/sdp"];
}

/// <summary>
/// The checks of a UAS before it acts on a request that parsed (RFC 3261 8.2, the application
/// layer cases of RFC 4475 3.3): missing required headers (400), an unknown Request-URI scheme
/// (416), a Require it does not support (420, with Unsupported), a body it cannot read (415, with
/// Accept), an Accept it cannot answer (406).
/// </summary>
public static class SipRequestChecks
{
    /// <summary>The refusal the request deserves, or null when it may go on.</summary>
    public static SipResponse? Check(SipRequest request, SipRequestPolicy? policy = null)
    {
        policy ??= SipRequestPolicy.Default;
        foreach (var name in new[] { HeaderNames.To, HeaderNames.From, HeaderNames.CallId, HeaderNames.CSeq, HeaderNames.Via })
        {
            if (!request.Headers.Contains(name))
            {
                return Refuse(request, 400, $"Missing {name}");
            }
        }
        if (request.RequestUri.Scheme is not ("sip" or "sips" or "tel"))
        {
            return Refuse(request, 416);
        }
        if (request.Method is not (SipMethods.Ack or SipMethods.Cancel))
        {
            var unsupported = request.Headers.GetValues(HeaderNames.Require)
                .Where(tag => !policy.SupportedOptions.Contains(tag, StringComparer.OrdinalIgnoreCase)).ToList();
            if (unsupported.Count > 0)
            {
                var refusal = Refuse(request, 420);
                refusal.Headers.Add(HeaderNames.Unsupported, string.Join(", ", unsupported));
                return refusal;
            }
        }
        if (request.Body.Length > 0 && request.Method != SipMethods.Ack
            && (request.ContentType is not { } type || !policy.AcceptedContentTypes.Contains(MediaType(type), StringComparer.OrdinalIgnoreCase)
                || request.Headers.Get(HeaderNames.ContentEncoding) is { } encoding && !encoding.Equals("identity", StringComparison.OrdinalIgnoreCase)))
        {
            var refusal = Refuse(request, 415);
            refusal.Headers.Add(HeaderNames.Accept, string.Join(", ", policy.AcceptedContentTypes));
            return refusal;
        }
        if (request.Method == SipMethods.Invite && request.Headers.Contains(HeaderNames.Accept))
        {
            var accepted = request.Headers.GetValues(HeaderNames.Accept).Select(MediaType).ToList();
            if (!accepted.Any(a => a is "*/*" || policy.AnswerContentTypes.Any(t => Matches(a, t))))
            {
                var refusal = Refuse(request, 406);
                refusal.Headers.Add(HeaderNames.Accept, string.Join(", ", policy.AcceptedContentTypes));
                return refusal;
            }
        }
        return null;
    }

    private static SipResponse Refuse(SipRequest request, int status, string? reason = null) =>
        SipResponse.CreateFor(request, status, reason, toTag: SipIds.NewTag());

    private static string MediaType(string value) => value.Split(';')[0].Trim().ToLowerInvariant();

    private static bool Matches(string accepted, string type) =>
        accepted == type || accepted.EndsWith("/*", StringComparison.Ordinal) && type.StartsWith(accepted[..^1], StringComparison.Ordinal);
}
