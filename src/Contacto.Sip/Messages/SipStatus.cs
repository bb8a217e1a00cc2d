namespace Contacto.Sip.Messages;

/// <summary>Default reason phrases (RFC 3261 21 and later RFCs).</summary>
public static class SipStatus
{
    private static readonly Dictionary<int, string> Phrases = new()
    {
        [100] = "Trying", [180] = "Ringing", [181] = "Call Is Being Forwarded", [182] = "Queued",
        [183] = "Session Progress", [200] = "OK", [202] = "Accepted", [300] = "Multiple Choices",
        [301] = "Moved Permanently", [302] = "Moved Temporarily", [400] = "Bad Request", [401] = "Unauthorized",
        [403] = "Forbidden", [404] = "Not Found", [405] = "Method Not Allowed", [406] = "Not Acceptable",
        [407] = "Proxy Authentication Required", [408] = "Request Timeout", [410] = "Gone",
        [413] = "Request Entity Too Large", [415] = "Unsupported Media Type", [416] = "Unsupported URI Scheme",
        [420] = "Bad Extension", [421] = "Extension Required", [480] = "Temporarily Unavailable",
        [481] = "Call/Transaction Does Not Exist", [482] = "Loop Detected", [483] = "Too Many Hops",
        [484] = "Address Incomplete", [486] = "Busy Here", [487] = "Request Terminated", [488] = "Not Acceptable Here",
        [491] = "Request Pending", [500] = "Server Internal Error", [501] = "Not Implemented", [502] = "Bad Gateway",
        [503] = "Service Unavailable", [504] = "Server Time-out", [505] = "Version Not Supported",
        [513] = "Message Too Large", [600] = "Busy Everywhere", [603] = "Decline", [604] = "Does Not Exist Anywhere",
        [606] = "Not Acceptable",
    };

    public static string ReasonPhrase(int statusCode) => Phrases.TryGetValue(statusCode, out var phrase) ? phrase : (statusCode / 100) switch
    {
        1 => "Provisional",
        2 => "OK",
        3 => "Redirect",
        4 => "Client Error",
        5 => "Server Error",
        _ => "Global Failure",
    };
}
