namespace Contacto.Sip.Messages;

/// <summary>What the parser made of some bytes: a message, a keep-alive, or a refusal.</summary>
public sealed class SipParseResult
{
    private SipParseResult()
    {
    }

    public SipMessage? Message { get; private init; }

    /// <summary>Only CRLFs (RFC 5626 keep-alive): nothing to do.</summary>
    public bool IsKeepAlive { get; private init; }

    /// <summary>The status a refused request deserves (400, 505, 513); 0 when parsed.</summary>
    public int Status { get; private init; }

    /// <summary>Why it was refused; never echoes the message's content.</summary>
    public string? Error { get; private init; }

    /// <summary>
    /// The answer to a refused request, its Via, From, To, Call-ID and CSeq lines copied as they
    /// came; null for a refused response, an ACK, or a request without a Via.
    /// </summary>
    public SipResponse? Response { get; private init; }

    public bool IsMessage => Message is not null;

    internal static SipParseResult Parsed(SipMessage message) => new() { Message = message };

    internal static readonly SipParseResult KeepAlive = new() { IsKeepAlive = true };

    internal static SipParseResult Refused(int status, string error, SipResponse? response = null) =>
        new() { Status = status, Error = error, Response = response };
}
