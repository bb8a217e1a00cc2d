using System.Globalization;

namespace Contacto.Sip.Messages;

public sealed class SipResponse(int statusCode, string? reasonPhrase = null) : SipMessage
{
    public int StatusCode { get; } = statusCode is >= 100 and <= 699
        ? statusCode
        : throw new ArgumentOutOfRangeException(nameof(statusCode), "A SIP status code is 100 to 699.");

    public string ReasonPhrase { get; } = reasonPhrase ?? SipStatus.ReasonPhrase(statusCode);

    public bool IsProvisional => StatusCode < 200;

    /// <summary>
    /// Made by this side, not received: the 408 of a client transaction that heard nothing (timer
    /// B or F) or the 503 of one whose transport failed. Nothing is known to have reached the peer.
    /// </summary>
    public bool IsLocal { get; private init; }

    /// <summary>Retry-After in seconds (RFC 3261 20.33), its comment and parameters ignored; null if absent or malformed.</summary>
    public TimeSpan? RetryAfter
    {
        get
        {
            var value = Headers.Get(HeaderNames.RetryAfter);
            var digits = value is null ? "" : new string(value.TakeWhile(char.IsAsciiDigit).ToArray());
            if (digits.Length == 0)
            {
                return null;
            }
            // A value past 32 bits means "a very long time" (RFC 4475 3.1.2.5 sends one).
            return TimeSpan.FromSeconds(digits.Length > 10 ? uint.MaxValue : Math.Min(long.Parse(digits, CultureInfo.InvariantCulture), uint.MaxValue));
        }
    }

    public bool IsSuccess => StatusCode is >= 200 and < 300;

    public override string StartLine => $"SIP/2.0 {StatusCode.ToString(CultureInfo.InvariantCulture)} {ReasonPhrase}";

    /// <summary>
    /// A response to a request (RFC 3261 8.2.6): its Via lines, From, Call-ID and CSeq copied, To
    /// copied with <paramref name="toTag"/> added when the request's To has no tag.
    /// </summary>
    public static SipResponse CreateFor(SipRequest request, int statusCode, string? reasonPhrase = null, string? toTag = null)
    {
        var response = new SipResponse(statusCode, reasonPhrase);
        CopyHeaders(request.Headers, response, toTag);
        return response;
    }

    /// <summary>A response this side makes in place of one that never came (<see cref="IsLocal"/>).</summary>
    internal static SipResponse Local(SipRequest request, int statusCode, string reasonPhrase)
    {
        var response = new SipResponse(statusCode, reasonPhrase) { IsLocal = true };
        CopyHeaders(request.Headers, response, toTag: null);
        return response;
    }

    internal static void CopyHeaders(SipHeaders from, SipResponse response, string? toTag)
    {
        foreach (var line in from.GetAll(HeaderNames.Via))
        {
            response.Headers.Add(HeaderNames.Via, line);
        }
        foreach (var name in new[] { HeaderNames.From, HeaderNames.To, HeaderNames.CallId, HeaderNames.CSeq })
        {
            if (from.Get(name) is not { } value)
            {
                continue;
            }
            if (name == HeaderNames.To && toTag is not null)
            {
                value = TryAddTag(value, toTag);
            }
            response.Headers.Add(name, value);
        }
    }

    private static string TryAddTag(string to, string tag)
    {
        try
        {
            var address = SipNameAddress.Parse(to);
            return address.Tag is null ? address.WithTag(tag).ToString() : to;
        }
        catch (SipFormatException)
        {
            return to;
        }
    }
}
