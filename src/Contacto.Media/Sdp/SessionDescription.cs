using System.Globalization;
using System.Net;
using System.Text;

namespace Contacto.Media.Sdp;

/// <summary>
/// An SDP session description (RFC 4566). <see cref="Parse(ReadOnlySpan{byte}, SdpLimits?)"/>
/// is strict about structure (v, o, s and t present and in order, one-letter types, no session
/// lines after the first m=, numbers where numbers belong) and about its limits; lines it does
/// not interpret (i, u, e, p, b, r, z, k) are kept as they came and written back.
/// </summary>
public sealed class SessionDescription
{
    public SdpOrigin Origin { get; set; } = new("-", 0, 0, SdpConnection.Ip4(IPAddress.Loopback));
    public string SessionName { get; set; } = "-";
    public SdpConnection? Connection { get; set; }
    public List<string> Timings { get; } = [];
    public List<SdpLine> OtherLines { get; } = [];
    public List<SdpAttribute> Attributes { get; } = [];
    public List<MediaDescription> Media { get; } = [];

    public static SessionDescription Parse(string text, SdpLimits? limits = null) =>
        Parse(Encoding.UTF8.GetBytes(text), limits);

    public static SessionDescription Parse(ReadOnlySpan<byte> body, SdpLimits? limits = null) =>
        SdpParser.Parse(body, limits ?? SdpLimits.Default);

    /// <summary>The first audio stream with a non-zero port, or null.</summary>
    public MediaDescription? FirstActiveAudio => Media.FirstOrDefault(m => m.IsAudio && m.Port != 0);

    public override string ToString()
    {
        var text = new StringBuilder(512);
        Line(text, 'v', "0");
        Line(text, 'o', Origin.ToString());
        Line(text, 's', SessionName);
        foreach (var line in OtherLines.Where(l => l.Type != 'b'))
        {
            Line(text, line.Type, line.Value);
        }
        if (Connection is { } connection)
        {
            Line(text, 'c', connection.ToString());
        }
        foreach (var line in OtherLines.Where(l => l.Type == 'b'))
        {
            Line(text, line.Type, line.Value);
        }
        foreach (var timing in Timings.DefaultIfEmpty("0 0"))
        {
            Line(text, 't', timing);
        }
        foreach (var attribute in Attributes)
        {
            Line(text, 'a', attribute.ToString());
        }
        foreach (var media in Media)
        {
            media.WriteTo(text);
        }
        return text.ToString();
    }

    public byte[] ToBytes() => Encoding.UTF8.GetBytes(ToString());

    internal static void Line(StringBuilder text, char type, string value) =>
        text.Append(type).Append('=').Append(value).Append("\r\n");
}

/// <summary>One m= section and what follows it.</summary>
public sealed class MediaDescription
{
    public string MediaType { get; set; } = "audio";
    public int Port { get; set; }
    public int? PortCount { get; set; }
    public string Protocol { get; set; } = "RTP/AVP";
    public List<string> Formats { get; } = [];
    public SdpConnection? Connection { get; set; }
    public List<SdpLine> OtherLines { get; } = [];
    public List<SdpAttribute> Attributes { get; } = [];

    public bool IsAudio => MediaType == "audio";

    /// <summary>RTP/SAVP (SDES-keyed SRTP); RTP/AVP is plain RTP.</summary>
    public bool IsSecureRtp => Protocol.Equals("RTP/SAVP", StringComparison.OrdinalIgnoreCase);

    public bool IsRtp => IsSecureRtp || Protocol.Equals("RTP/AVP", StringComparison.OrdinalIgnoreCase);

    public SdpAttribute? Attribute(string name) => Attributes.FirstOrDefault(a => a.Is(name));

    public IEnumerable<SdpAttribute> AttributesNamed(string name) => Attributes.Where(a => a.Is(name));

    /// <summary>a=ptime in milliseconds, or null when absent or not a number.</summary>
    public int? Ptime => ParseMilliseconds(Attribute("ptime")?.Value);

    public int? MaxPtime => ParseMilliseconds(Attribute("maxptime")?.Value);

    /// <summary>The a=rtcp port and optional address (RFC 3605), or null.</summary>
    public SdpRtcpAttribute? Rtcp => Attribute("rtcp") is { } a ? SdpRtcpAttribute.Parse(a.Value ?? "") : null;

    /// <summary>The encoding a payload type stands for: its a=rtpmap, else the static RFC 3551 name.</summary>
    public SdpRtpMap? RtpMap(string format)
    {
        foreach (var attribute in AttributesNamed("rtpmap"))
        {
            if (SdpRtpMap.TryParse(attribute.Value, out var map) && map.PayloadType.ToString(CultureInfo.InvariantCulture) == format)
            {
                return map;
            }
        }
        return format switch
        {
            "0" => new SdpRtpMap(0, "PCMU", 8000, 1),
            "8" => new SdpRtpMap(8, "PCMA", 8000, 1),
            _ => null,
        };
    }

    internal static int? ParseMilliseconds(string? value) =>
        int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var ms) ? ms : null;

    internal void WriteTo(StringBuilder text)
    {
        var port = PortCount is { } count ? $"{Port}/{count}" : Port.ToString(CultureInfo.InvariantCulture);
        SessionDescription.Line(text, 'm', $"{MediaType} {port} {Protocol} {string.Join(' ', Formats)}");
        foreach (var line in OtherLines.Where(l => l.Type == 'i'))
        {
            SessionDescription.Line(text, line.Type, line.Value);
        }
        if (Connection is { } connection)
        {
            SessionDescription.Line(text, 'c', connection.ToString());
        }
        foreach (var line in OtherLines.Where(l => l.Type != 'i'))
        {
            SessionDescription.Line(text, line.Type, line.Value);
        }
        foreach (var attribute in Attributes)
        {
            SessionDescription.Line(text, 'a', attribute.ToString());
        }
    }
}

/// <summary>A line kept as it came (i, u, e, p, b, r, z, k).</summary>
public readonly record struct SdpLine(char Type, string Value);

/// <summary>An a= line: a property (no value) or name:value.</summary>
public sealed record SdpAttribute(string Name, string? Value = null)
{
    public bool Is(string name) => Name.Equals(name, StringComparison.OrdinalIgnoreCase);

    public override string ToString() => Value is null ? Name : $"{Name}:{Value}";
}

/// <summary>o=username sess-id sess-version IN IP4|IP6 address.</summary>
public sealed record SdpOrigin(string Username, ulong SessionId, ulong SessionVersion, SdpConnection Address)
{
    public override string ToString() =>
        $"{Username} {SessionId.ToString(CultureInfo.InvariantCulture)} {SessionVersion.ToString(CultureInfo.InvariantCulture)} {Address}";
}

/// <summary>c=IN IP4|IP6 address (a literal, or a name that must be resolved).</summary>
public sealed record SdpConnection(string AddressType, string Address)
{
    public static SdpConnection Ip4(IPAddress address) => new("IP4", address.ToString());

    public static SdpConnection Of(IPAddress address) =>
        new(address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6 ? "IP6" : "IP4", address.ToString());

    /// <summary>The address as a literal, or null for a host name.</summary>
    public IPAddress? Ip => IPAddress.TryParse(Address, out var ip) ? ip : null;

    /// <summary>c=IN IP4 0.0.0.0: the RFC 2543 way of putting a call on hold.</summary>
    public bool IsUnspecified => Ip is { } ip && (ip.Equals(IPAddress.Any) || ip.Equals(IPAddress.IPv6Any));

    public override string ToString() => $"IN {AddressType} {Address}";
}

/// <summary>a=rtpmap:PT encoding/clock[/channels].</summary>
public sealed record SdpRtpMap(int PayloadType, string Encoding, int ClockRate, int Channels)
{
    public static bool TryParse(string? value, out SdpRtpMap map)
    {
        map = null!;
        if (value is null)
        {
            return false;
        }
        var space = value.IndexOf(' ');
        if (space <= 0
            || !int.TryParse(value.AsSpan(0, space), NumberStyles.None, CultureInfo.InvariantCulture, out var pt)
            || pt > 127)
        {
            return false;
        }
        var parts = value[(space + 1)..].Split('/');
        if (parts.Length is < 2 or > 3 || parts[0].Length == 0
            || !int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var clock))
        {
            return false;
        }
        var channels = 1;
        if (parts.Length == 3 && !int.TryParse(parts[2], NumberStyles.None, CultureInfo.InvariantCulture, out channels))
        {
            return false;
        }
        map = new SdpRtpMap(pt, parts[0], clock, channels);
        return true;
    }

    public bool Names(string encoding, int clockRate) =>
        Encoding.Equals(encoding, StringComparison.OrdinalIgnoreCase) && ClockRate == clockRate && Channels == 1;

    public override string ToString() =>
        Channels == 1 ? $"{PayloadType} {Encoding}/{ClockRate}" : $"{PayloadType} {Encoding}/{ClockRate}/{Channels}";
}

/// <summary>a=rtcp:port [IN IP4|IP6 address] (RFC 3605).</summary>
public sealed record SdpRtcpAttribute(int Port, SdpConnection? Connection)
{
    public static SdpRtcpAttribute? Parse(string value)
    {
        var parts = value.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (parts.Length is not (1 or 4)
            || !int.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out var port) || port is < 1 or > 65535)
        {
            return null;
        }
        return parts.Length == 4 && parts[1] == "IN" ? new SdpRtcpAttribute(port, new SdpConnection(parts[2], parts[3])) : new SdpRtcpAttribute(port, null);
    }

    public override string ToString() => Connection is null ? Port.ToString(CultureInfo.InvariantCulture) : $"{Port} {Connection}";
}
