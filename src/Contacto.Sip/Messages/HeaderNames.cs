namespace Contacto.Sip.Messages;

/// <summary>
/// Header names as this library writes them, and the compact forms it reads (RFC 3261 7.3.3 and
/// the registry of later RFCs). Names compare without case; a name it does not know is kept as written.
/// </summary>
public static class HeaderNames
{
    public const string Accept = "Accept";
    public const string Allow = "Allow";
    public const string Authorization = "Authorization";
    public const string CallId = "Call-ID";
    public const string Contact = "Contact";
    public const string ContentEncoding = "Content-Encoding";
    public const string ContentLength = "Content-Length";
    public const string ContentType = "Content-Type";
    public const string CSeq = "CSeq";
    public const string Date = "Date";
    public const string Event = "Event";
    public const string Expires = "Expires";
    public const string From = "From";
    public const string MaxForwards = "Max-Forwards";
    public const string ProxyAuthenticate = "Proxy-Authenticate";
    public const string ProxyAuthorization = "Proxy-Authorization";
    public const string ProxyRequire = "Proxy-Require";
    public const string Reason = "Reason";
    public const string RecordRoute = "Record-Route";
    public const string ReferTo = "Refer-To";
    public const string ReferredBy = "Referred-By";
    public const string Require = "Require";
    public const string RetryAfter = "Retry-After";
    public const string Route = "Route";
    public const string Subject = "Subject";
    public const string Supported = "Supported";
    public const string To = "To";
    public const string Unsupported = "Unsupported";
    public const string UserAgent = "User-Agent";
    public const string Server = "Server";
    public const string Via = "Via";
    public const string Warning = "Warning";
    public const string WwwAuthenticate = "WWW-Authenticate";

    private static readonly Dictionary<string, string> Known = new(StringComparer.OrdinalIgnoreCase)
    {
        ["i"] = CallId, ["m"] = Contact, ["e"] = ContentEncoding, ["l"] = ContentLength, ["c"] = ContentType,
        ["f"] = From, ["s"] = Subject, ["k"] = Supported, ["t"] = To, ["v"] = Via, ["o"] = Event,
        ["r"] = ReferTo, ["b"] = ReferredBy, ["u"] = "Allow-Events", ["x"] = "Session-Expires",
        ["a"] = "Accept-Contact", ["j"] = "Reject-Contact", ["d"] = "Request-Disposition",
        ["y"] = "Identity", ["n"] = "Identity-Info",
    };

    static HeaderNames()
    {
        foreach (var name in new[]
        {
            Accept, Allow, Authorization, CallId, Contact, ContentEncoding, ContentLength, ContentType, CSeq, Date,
            Event, Expires, From, MaxForwards, ProxyAuthenticate, ProxyAuthorization, ProxyRequire, Reason,
            RecordRoute, ReferTo, ReferredBy, Require, RetryAfter, Route, Subject, Supported, To, Unsupported,
            UserAgent, Server, Via, Warning, WwwAuthenticate, "Allow-Events", "Session-Expires", "Accept-Contact",
            "Reject-Contact", "Request-Disposition", "Identity", "Identity-Info", "Accept-Encoding", "Accept-Language",
            "Alert-Info", "Call-Info", "Content-Disposition", "Content-Language", "Error-Info", "In-Reply-To",
            "MIME-Version", "Min-Expires", "Organization", "Priority", "Reply-To", "Timestamp", "RSeq", "RAck",
        })
        {
            Known.TryAdd(name, name);
        }
    }

    /// <summary>The long form for a compact one, the usual spelling for a known name, else the name as given.</summary>
    public static string Canonical(string name) => Known.TryGetValue(name, out var canonical) ? canonical : name;
}
