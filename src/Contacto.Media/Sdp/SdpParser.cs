using System.Globalization;
using System.Text;

namespace Contacto.Media.Sdp;

/// <summary>
/// RFC 4566 parser. Every check is made before anything is allocated for it, and every error
/// names the line number and what was wrong, never the value (it may carry keys).
/// </summary>
internal static class SdpParser
{
    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    public static SessionDescription Parse(ReadOnlySpan<byte> body, SdpLimits limits)
    {
        if (body.Length == 0)
        {
            throw new SdpFormatException("The session description is empty.");
        }
        if (body.Length > limits.MaxBytes)
        {
            throw new SdpFormatException($"The session description is {body.Length} bytes, more than {limits.MaxBytes}.");
        }
        if (body.Contains((byte)0))
        {
            throw new SdpFormatException("The session description contains a NUL byte.");
        }
        string text;
        try
        {
            text = StrictUtf8.GetString(body);
        }
        catch (DecoderFallbackException)
        {
            throw new SdpFormatException("The session description is not valid UTF-8.");
        }

        var sdp = new SessionDescription();
        MediaDescription? media = null;
        var lineNumber = 0;
        var sawVersion = false;
        var sawOrigin = false;
        var sawName = false;
        var lines = text.Split('\n');
        var lastNonEmpty = Array.FindLastIndex(lines, l => l.Length != 0 && l != "\r");
        if (lines.Length > limits.MaxLines + 2)
        {
            throw new SdpFormatException($"The session description has more than {limits.MaxLines} lines.");
        }
        for (var index = 0; index <= lastNonEmpty; index++)
        {
            var rawLine = lines[index];
            var line = rawLine.EndsWith('\r') ? rawLine[..^1] : rawLine;
            lineNumber++;
            if (line.Length == 0)
            {
                throw new SdpFormatException($"Line {lineNumber} is empty.");
            }
            if (lineNumber > limits.MaxLines)
            {
                throw new SdpFormatException($"The session description has more than {limits.MaxLines} lines.");
            }
            if (line.Length > limits.MaxLineLength)
            {
                throw new SdpFormatException($"Line {lineNumber} is longer than {limits.MaxLineLength} characters.");
            }
            if (line.Length < 2 || line[1] != '=' || line[0] is < 'a' or > 'z')
            {
                throw new SdpFormatException($"Line {lineNumber} is not of the form <letter>=<value>.");
            }
            if (line.Contains('\r'))
            {
                throw new SdpFormatException($"Line {lineNumber} contains a bare carriage return.");
            }
            var type = line[0];
            var value = line[2..];

            if (!sawVersion)
            {
                if (type != 'v' || value != "0")
                {
                    throw new SdpFormatException("The session description must start with v=0.");
                }
                sawVersion = true;
                continue;
            }
            if (!sawOrigin)
            {
                if (type != 'o')
                {
                    throw new SdpFormatException("The o= line must follow v=.");
                }
                sdp.Origin = ParseOrigin(value, lineNumber);
                sawOrigin = true;
                continue;
            }
            if (!sawName)
            {
                if (type != 's' || value.Length == 0)
                {
                    throw new SdpFormatException("A non-empty s= line must follow o=.");
                }
                sdp.SessionName = value;
                sawName = true;
                continue;
            }

            switch (type)
            {
                case 'v' or 'o' or 's':
                    throw new SdpFormatException($"Line {lineNumber}: {type}= may appear only once, at the start.");
                case 'm':
                    if (sdp.Timings.Count == 0)
                    {
                        throw new SdpFormatException("The session description has no t= line before its media.");
                    }
                    if (sdp.Media.Count == limits.MaxMediaDescriptions)
                    {
                        throw new SdpFormatException($"The session description has more than {limits.MaxMediaDescriptions} media descriptions.");
                    }
                    media = ParseMedia(value, lineNumber, limits);
                    sdp.Media.Add(media);
                    break;
                case 'c':
                    var connection = ParseConnection(value, lineNumber);
                    if (media is null)
                    {
                        sdp.Connection = sdp.Connection is null ? connection : throw new SdpFormatException($"Line {lineNumber}: a second session-level c= line.");
                    }
                    else
                    {
                        media.Connection = media.Connection is null ? connection : throw new SdpFormatException($"Line {lineNumber}: a second c= line in one media description.");
                    }
                    break;
                case 'a':
                    var attributes = media?.Attributes ?? sdp.Attributes;
                    if (attributes.Count == limits.MaxAttributesPerSection)
                    {
                        throw new SdpFormatException($"Line {lineNumber}: more than {limits.MaxAttributesPerSection} attributes in one section.");
                    }
                    attributes.Add(ParseAttribute(value, lineNumber));
                    break;
                case 't':
                    if (media is not null)
                    {
                        throw new SdpFormatException($"Line {lineNumber}: t= inside a media description.");
                    }
                    ParseTiming(value, lineNumber);
                    sdp.Timings.Add(value);
                    break;
                case 'i' or 'b' or 'k':
                    (media?.OtherLines ?? sdp.OtherLines).Add(new SdpLine(type, value));
                    break;
                case 'u' or 'e' or 'p' or 'r' or 'z':
                    if (media is not null)
                    {
                        throw new SdpFormatException($"Line {lineNumber}: {type}= inside a media description.");
                    }
                    sdp.OtherLines.Add(new SdpLine(type, value));
                    break;
                default:
                    throw new SdpFormatException($"Line {lineNumber}: unknown line type '{type}'.");
            }
        }

        if (!sawName)
        {
            throw new SdpFormatException("The session description ends before its v=, o= and s= lines.");
        }
        if (sdp.Timings.Count == 0)
        {
            throw new SdpFormatException("The session description has no t= line.");
        }
        foreach (var m in sdp.Media.Where(m => m.Port != 0 && m.Connection is null && sdp.Connection is null))
        {
            throw new SdpFormatException($"The {m.MediaType} stream has no connection address (c=).");
        }
        return sdp;
    }

    private static SdpOrigin ParseOrigin(string value, int lineNumber)
    {
        var parts = value.Split(' ');
        if (parts.Length != 6 || parts.Any(p => p.Length == 0)
            || !ulong.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var id)
            || !ulong.TryParse(parts[2], NumberStyles.None, CultureInfo.InvariantCulture, out var version))
        {
            throw new SdpFormatException($"Line {lineNumber}: o= needs <username> <sess-id> <sess-version> IN <addrtype> <address>.");
        }
        return new SdpOrigin(parts[0], id, version, ParseConnection($"{parts[3]} {parts[4]} {parts[5]}", lineNumber));
    }

    private static SdpConnection ParseConnection(string value, int lineNumber)
    {
        var parts = value.Split(' ');
        if (parts.Length != 3 || parts[0] != "IN" || parts[2].Length == 0)
        {
            throw new SdpFormatException($"Line {lineNumber}: a connection needs IN <addrtype> <address>.");
        }
        if (parts[1] is not ("IP4" or "IP6"))
        {
            throw new SdpFormatException($"Line {lineNumber}: address type must be IP4 or IP6.");
        }
        var address = parts[2];
        var slash = address.IndexOf('/');
        var host = slash < 0 ? address : address[..slash];
        if (System.Net.IPAddress.TryParse(host, out var ip))
        {
            var isV6 = ip.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6;
            if (isV6 != (parts[1] == "IP6"))
            {
                throw new SdpFormatException($"Line {lineNumber}: the address does not match its address type.");
            }
        }
        else if (Uri.CheckHostName(host) != UriHostNameType.Dns)
        {
            throw new SdpFormatException($"Line {lineNumber}: the connection address is neither an IP literal nor a host name.");
        }
        return new SdpConnection(parts[1], address);
    }

    private static MediaDescription ParseMedia(string value, int lineNumber, SdpLimits limits)
    {
        var parts = value.Split(' ');
        if (parts.Length < 4 || parts.Take(3).Any(p => p.Length == 0))
        {
            throw new SdpFormatException($"Line {lineNumber}: m= needs <media> <port> <proto> <fmt> ...");
        }
        if (parts.Length - 3 > limits.MaxFormatsPerMedia)
        {
            throw new SdpFormatException($"Line {lineNumber}: more than {limits.MaxFormatsPerMedia} formats.");
        }
        var media = new MediaDescription { MediaType = parts[0], Protocol = parts[2] };
        var portText = parts[1];
        var slash = portText.IndexOf('/');
        if (!int.TryParse(slash < 0 ? portText : portText[..slash], NumberStyles.None, CultureInfo.InvariantCulture, out var port) || port > 65535)
        {
            throw new SdpFormatException($"Line {lineNumber}: the media port is not a number from 0 to 65535.");
        }
        media.Port = port;
        if (slash >= 0)
        {
            if (!int.TryParse(portText[(slash + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out var count) || count is < 1 or > 65535)
            {
                throw new SdpFormatException($"Line {lineNumber}: the media port count is not a positive number.");
            }
            media.PortCount = count;
        }
        foreach (var format in parts.Skip(3))
        {
            if (format.Length == 0)
            {
                throw new SdpFormatException($"Line {lineNumber}: an empty media format.");
            }
            if (media.IsRtp && (!int.TryParse(format, NumberStyles.None, CultureInfo.InvariantCulture, out var pt) || pt > 127))
            {
                throw new SdpFormatException($"Line {lineNumber}: an RTP payload type must be a number from 0 to 127.");
            }
            media.Formats.Add(format);
        }
        return media;
    }

    private static SdpAttribute ParseAttribute(string value, int lineNumber)
    {
        var colon = value.IndexOf(':');
        var name = colon < 0 ? value : value[..colon];
        if (name.Length == 0 || !name.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.'))
        {
            throw new SdpFormatException($"Line {lineNumber}: an attribute name must be a token.");
        }
        return new SdpAttribute(name, colon < 0 ? null : value[(colon + 1)..]);
    }

    private static void ParseTiming(string value, int lineNumber)
    {
        var parts = value.Split(' ');
        if (parts.Length != 2 || !parts.All(p => ulong.TryParse(p, NumberStyles.None, CultureInfo.InvariantCulture, out _)))
        {
            throw new SdpFormatException($"Line {lineNumber}: t= needs <start-time> <stop-time>.");
        }
    }
}
