using System.Globalization;
using System.Text;

namespace Contacto.Sip.Messages;

/// <summary>
/// Reads one SIP message (RFC 3261 7 and 25) within <see cref="SipLimits"/>: the start line
/// exactly as the grammar says (single spaces, a Request-URI without white space, brackets or
/// headers), header lines unfolded and named by their long forms, and every header this library
/// relies on checked (Via, From, To, Call-ID, CSeq, Max-Forwards, Content-Length, Contact,
/// Route, Record-Route, Content-Type, Date), so that what it accepts can be used without
/// surprises. Never throws on any input.
/// </summary>
public static class SipMessageParser
{
    private static readonly string[] SingleValued =
    [
        HeaderNames.From, HeaderNames.To, HeaderNames.CallId, HeaderNames.CSeq, HeaderNames.MaxForwards,
        HeaderNames.ContentLength, HeaderNames.ContentType,
    ];

    /// <summary>Headers read as comma-separated lists of tokens or media types.</summary>
    private static readonly string[] ListValued =
    [
        HeaderNames.Require, HeaderNames.ProxyRequire, HeaderNames.Supported, HeaderNames.Unsupported, HeaderNames.Allow, HeaderNames.Accept,
    ];

    private static readonly Encoding Utf8 = new UTF8Encoding(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: false);

    /// <summary>
    /// Parses one message. In a datagram the body is what follows the headers, cut to
    /// Content-Length when there is one (octets past it are ignored, RFC 3261 18.3); a
    /// Content-Length larger than what came is refused. On a stream the framer has already cut
    /// the message to its Content-Length, which must be there.
    /// </summary>
    public static SipParseResult Parse(ReadOnlySpan<byte> data, SipLimits? limits = null, bool datagram = true)
    {
        limits ??= SipLimits.Default;
        if (data.Length > limits.MaxMessageBytes)
        {
            return SipParseResult.Refused(513, "message larger than the limit");
        }
        var start = 0;
        while (start + 1 < data.Length && data[start] == '\r' && data[start + 1] == '\n')
        {
            start += 2;
        }
        if (start == data.Length)
        {
            return SipParseResult.KeepAlive;
        }
        data = data[start..];
        var end = data.IndexOf("\r\n\r\n"u8);
        if (end < 0)
        {
            return SipParseResult.Refused(400, "no end of headers");
        }
        var head = Utf8.GetString(data[..(end + 2)]);
        var body = data[(end + 4)..];
        var reader = new Reader(limits);
        try
        {
            return reader.Read(head, body, datagram);
        }
        catch (SipFormatException e)
        {
            return reader.Refuse(400, e.Message);
        }
    }

    private sealed class Reader(SipLimits limits)
    {
        private readonly SipHeaders _headers = new();
        private string? _method;
        private bool _isRequest;

        public SipParseResult Read(string head, ReadOnlySpan<byte> body, bool datagram)
        {
            var lines = head.Split("\r\n");
            // The split leaves one empty string after the final CRLF.
            var startLine = lines[0];
            if (startLine.Length > limits.MaxHeaderLength)
            {
                return Refuse(400, "start line too long");
            }
            _isRequest = !startLine.StartsWith("SIP/", StringComparison.OrdinalIgnoreCase);
            if (_isRequest && startLine.IndexOf(' ') is > 0 and var space)
            {
                _method = startLine[..space];
            }
            ReadHeaderLines(lines);
            SipMessage message;
            if (_isRequest)
            {
                var request = ReadRequestLine(startLine, out var versionRefusal);
                if (versionRefusal is not null)
                {
                    return Refuse(505, versionRefusal);
                }
                message = request!;
            }
            else
            {
                message = ReadStatusLine(startLine);
            }
            foreach (var line in _headers)
            {
                message.Headers.Add(line.Name, line.Value);
            }
            Check(message);
            var contentLength = message.Headers.Get(HeaderNames.ContentLength);
            if (contentLength is null)
            {
                if (!datagram)
                {
                    return Refuse(400, "Content-Length missing on a stream");
                }
                message.Body = body.ToArray();
                return SipParseResult.Parsed(message);
            }
            var length = ReadContentLength(contentLength);
            if (length > body.Length)
            {
                return Refuse(400, "body shorter than Content-Length");
            }
            message.Body = body[..length].ToArray();
            return SipParseResult.Parsed(message);
        }

        /// <summary>A refusal, with the response a request deserves when it can be built from what was read.</summary>
        public SipParseResult Refuse(int status, string error)
        {
            // The answer goes back where the request came from, so even a Via too broken to read
            // (RFC 4475 3.1.2.1) does not stop it; a request with no Via at all is not answered.
            if (!_isRequest || _method == SipMethods.Ack || !_headers.Contains(HeaderNames.Via))
            {
                return SipParseResult.Refused(status, error);
            }
            var response = new SipResponse(status);
            SipResponse.CopyHeaders(_headers, response, toTag: SipIds.NewTag());
            return SipParseResult.Refused(status, error, response);
        }

        private SipRequest? ReadRequestLine(string line, out string? versionRefusal)
        {
            versionRefusal = null;
            var first = line.IndexOf(' ');
            var last = line.LastIndexOf(' ');
            if (first <= 0 || last == first)
            {
                throw new SipFormatException("bad request line");
            }
            var method = line[..first];
            if (!SipScanner.IsToken(method))
            {
                throw new SipFormatException("bad method");
            }
            var version = line[(last + 1)..];
            var uriText = line[(first + 1)..last];
            if (uriText.Length == 0 || uriText.AsSpan().ContainsAny(" \t<>"))
            {
                throw new SipFormatException("bad Request-URI");
            }
            if (!version.Equals("SIP/2.0", StringComparison.OrdinalIgnoreCase))
            {
                if (IsVersion(version))
                {
                    versionRefusal = "SIP version not supported";
                    return null;
                }
                throw new SipFormatException("bad SIP version");
            }
            var uri = SipUri.Parse(uriText, limits.MaxParameters);
            if (uri.Headers.Count > 0)
            {
                throw new SipFormatException("headers in the Request-URI");
            }
            return new SipRequest(method, uri);
        }

        private static SipResponse ReadStatusLine(string line)
        {
            // SIP-Version SP Status-Code SP Reason-Phrase; the phrase may be empty.
            var parts = line.Split(' ', 3);
            if (parts.Length < 3 || !parts[0].Equals("SIP/2.0", StringComparison.OrdinalIgnoreCase)
                || parts[1].Length != 3 || !int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var status)
                || status < 100 || status > 699)
            {
                throw new SipFormatException("bad status line");
            }
            if (parts[2].AsSpan().ContainsAny('\0', '\r', '\n'))
            {
                throw new SipFormatException("bad reason phrase");
            }
            return new SipResponse(status, parts[2]);
        }

        private void ReadHeaderLines(string[] lines)
        {
            string? name = null;
            var value = new StringBuilder();
            for (var i = 1; i < lines.Length - 1; i++)
            {
                var line = lines[i];
                if (line.AsSpan().ContainsAny('\r', '\n'))
                {
                    throw new SipFormatException("bare CR or LF in a header");
                }
                if (line.Length > 0 && SipScanner.IsSpace(line[0]))
                {
                    if (name is null)
                    {
                        throw new SipFormatException("continuation line before any header");
                    }
                    value.Append(' ').Append(line.AsSpan().Trim(" \t"));
                }
                else
                {
                    Flush();
                    var colon = line.IndexOf(':');
                    if (colon <= 0)
                    {
                        throw new SipFormatException("header line without a name and colon");
                    }
                    var rawName = line.AsSpan(0, colon).TrimEnd(" \t");
                    if (!SipScanner.IsToken(rawName))
                    {
                        throw new SipFormatException("bad header name");
                    }
                    name = new string(rawName);
                    value.Clear().Append(line.AsSpan(colon + 1).Trim(" \t"));
                }
                if (value.Length + (name?.Length ?? 0) > limits.MaxHeaderLength)
                {
                    throw new SipFormatException("header too long");
                }
            }
            Flush();

            void Flush()
            {
                if (name is null)
                {
                    return;
                }
                if (_headers.Count == limits.MaxHeaderCount)
                {
                    throw new SipFormatException("too many headers");
                }
                _headers.Add(name, value.ToString().Trim(' ', '\t'));
                name = null;
            }
        }

        /// <summary>Reads every header this library relies on; a malformed one refuses the message.</summary>
        private void Check(SipMessage message)
        {
            var headers = message.Headers;
            foreach (var name in SingleValued)
            {
                if (headers.CountOf(name) > 1)
                {
                    throw new SipFormatException($"{name} more than once");
                }
            }
            foreach (var name in ListValued)
            {
                foreach (var line in headers.GetAll(name))
                {
                    SipScanner.SplitList(line, limits.MaxValuesPerHeader);
                }
            }
            var vias = 0;
            foreach (var line in headers.GetAll(HeaderNames.Via))
            {
                foreach (var via in SipScanner.SplitList(line, limits.MaxValuesPerHeader))
                {
                    if (++vias > limits.MaxVias)
                    {
                        throw new SipFormatException("too many Via values");
                    }
                    SipVia.Parse(via, limits.MaxParameters);
                }
            }
            foreach (var name in new[] { HeaderNames.From, HeaderNames.To })
            {
                if (headers.Get(name) is { } address)
                {
                    SipNameAddress.Parse(address, limits.MaxParameters);
                }
            }
            foreach (var name in new[] { HeaderNames.Contact, HeaderNames.Route, HeaderNames.RecordRoute })
            {
                foreach (var line in headers.GetAll(name))
                {
                    if (name == HeaderNames.Contact && line == "*")
                    {
                        continue;
                    }
                    foreach (var value in SipScanner.SplitList(line, limits.MaxValuesPerHeader))
                    {
                        SipNameAddress.Parse(value, limits.MaxParameters);
                    }
                }
            }
            if (headers.Get(HeaderNames.CallId) is { } callId)
            {
                CheckCallId(callId);
            }
            if (headers.Get(HeaderNames.CSeq) is { } cseqText)
            {
                var cseq = SipCSeq.Parse(cseqText);
                if (message is SipRequest request && cseq.Method != request.Method)
                {
                    throw new SipFormatException("CSeq method differs from the request's");
                }
            }
            if (headers.Get(HeaderNames.MaxForwards) is { } maxForwards
                && (maxForwards.Length is 0 or > 10 || !maxForwards.All(char.IsAsciiDigit)
                    || long.Parse(maxForwards, CultureInfo.InvariantCulture) > 255))
            {
                throw new SipFormatException("bad Max-Forwards");
            }
            if (headers.Get(HeaderNames.ContentType) is { } contentType)
            {
                CheckMediaType(contentType);
            }
            if (headers.Get(HeaderNames.Date) is { } date
                && !DateTime.TryParseExact(date, "ddd, dd MMM yyyy HH:mm:ss 'GMT'", CultureInfo.InvariantCulture,
                    DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal, out _))
            {
                throw new SipFormatException("bad Date");
            }
        }

        private int ReadContentLength(string text)
        {
            if (text.Length is 0 or > 10 || !text.All(char.IsAsciiDigit))
            {
                throw new SipFormatException("bad Content-Length");
            }
            var length = long.Parse(text, CultureInfo.InvariantCulture);
            if (length > limits.MaxMessageBytes)
            {
                throw new SipFormatException("Content-Length past the limit");
            }
            return (int)length;
        }

        private static void CheckCallId(string callId)
        {
            var at = callId.IndexOf('@');
            var left = at < 0 ? callId : callId[..at];
            var right = at < 0 ? "x" : callId[(at + 1)..];
            if (left.Length == 0 || right.Length == 0 || !left.All(SipScanner.IsWordChar) || !right.All(SipScanner.IsWordChar))
            {
                throw new SipFormatException("bad Call-ID");
            }
        }

        private void CheckMediaType(string text)
        {
            var scanner = new SipScanner(text);
            scanner.ReadToken();
            scanner.Expect('/');
            scanner.ReadToken();
            SipParameters.ReadHeaderParameters(ref scanner, limits.MaxParameters);
            scanner.SkipSpace();
            if (!scanner.AtEnd)
            {
                throw scanner.Error("bad media type");
            }
        }

        private static bool IsVersion(string version)
        {
            if (!version.StartsWith("SIP/", StringComparison.OrdinalIgnoreCase))
            {
                return false;
            }
            var numbers = version[4..].Split('.');
            return numbers.Length == 2 && numbers.All(n => n.Length is > 0 and <= 3 && n.All(char.IsAsciiDigit));
        }
    }
}
