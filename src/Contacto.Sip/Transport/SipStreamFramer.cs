using System.Globalization;

namespace Contacto.Sip.Transport;

internal enum FrameKind
{
    /// <summary>Not a whole message yet.</summary>
    NeedMore,
    Message,

    /// <summary>A double CRLF: an RFC 5626 keep-alive ping, answered with one CRLF.</summary>
    Ping,

    /// <summary>A lone CRLF before a start line (RFC 3261 7.5) or a pong: skipped.</summary>
    Blank,

    /// <summary>The message does not fit the size limit, or its Content-Length is missing or not a number: the stream cannot be framed past it.</summary>
    Unframeable,
}

/// <summary>
/// Cuts a byte stream into SIP messages by Content-Length (RFC 3261 18.3), which must be there
/// on a stream. Never looks further than the size limit.
/// </summary>
internal static class SipStreamFramer
{
    public static FrameKind Next(ReadOnlySpan<byte> buffer, int maxMessageBytes, out int length)
    {
        length = 0;
        if (buffer.StartsWith("\r\n\r\n"u8))
        {
            length = 4;
            return FrameKind.Ping;
        }
        if (buffer.StartsWith("\r\n"u8) && (buffer.Length > 2 && buffer[2] != '\r' || buffer.Length >= 4))
        {
            length = 2;
            return FrameKind.Blank;
        }
        if (buffer.Length < 4 || buffer.StartsWith("\r\n"u8))
        {
            return FrameKind.NeedMore;
        }
        var window = buffer[..Math.Min(buffer.Length, maxMessageBytes)];
        var end = window.IndexOf("\r\n\r\n"u8);
        if (end < 0)
        {
            return buffer.Length >= maxMessageBytes ? FrameKind.Unframeable : FrameKind.NeedMore;
        }
        var headEnd = end + 4;
        if (!TryContentLength(buffer[..headEnd], out var contentLength) || headEnd + (long)contentLength > maxMessageBytes)
        {
            return FrameKind.Unframeable;
        }
        if (buffer.Length < headEnd + contentLength)
        {
            return FrameKind.NeedMore;
        }
        length = headEnd + contentLength;
        return FrameKind.Message;
    }

    /// <summary>The value of the one Content-Length (or "l") line; false if none, several, or not a number.</summary>
    private static bool TryContentLength(ReadOnlySpan<byte> head, out int contentLength)
    {
        contentLength = -1;
        var found = false;
        while (!head.IsEmpty)
        {
            var eol = head.IndexOf("\r\n"u8);
            var line = eol < 0 ? head : head[..eol];
            head = eol < 0 ? [] : head[(eol + 2)..];
            var colon = line.IndexOf((byte)':');
            if (colon <= 0)
            {
                continue;
            }
            var name = System.Text.Encoding.ASCII.GetString(line[..colon]).TrimEnd(' ', '\t');
            if (!name.Equals("Content-Length", StringComparison.OrdinalIgnoreCase) && !name.Equals("l", StringComparison.OrdinalIgnoreCase))
            {
                continue;
            }
            var value = System.Text.Encoding.ASCII.GetString(line[(colon + 1)..]).Trim(' ', '\t');
            if (found || value.Length is 0 or > 9 || !value.All(char.IsAsciiDigit))
            {
                return false;
            }
            contentLength = int.Parse(value, CultureInfo.InvariantCulture);
            found = true;
        }
        return found;
    }
}
