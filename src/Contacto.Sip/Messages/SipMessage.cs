using System.Globalization;
using System.Text;

namespace Contacto.Sip.Messages;

/// <summary>
/// A SIP request or response: header lines and a body. The typed properties read the headers
/// each time (the parser has already checked them on a received message) and throw
/// <see cref="SipFormatException"/> when a required one is missing or malformed.
/// </summary>
public abstract class SipMessage
{
    public SipHeaders Headers { get; } = new();

    /// <summary>The body, opaque (SDP, sipfrag, ...); Content-Length is written from it.</summary>
    public byte[] Body { get; set; } = [];

    public abstract string StartLine { get; }

    public IReadOnlyList<SipVia> Vias => [.. Headers.GetValues(HeaderNames.Via).Select(v => SipVia.Parse(v))];

    public SipVia? TopVia => Headers.GetValues(HeaderNames.Via) is [var first, ..] ? SipVia.Parse(first) : null;

    public SipNameAddress From => SipNameAddress.Parse(Required(HeaderNames.From));

    public SipNameAddress To => SipNameAddress.Parse(Required(HeaderNames.To));

    public string CallId => Required(HeaderNames.CallId);

    public SipCSeq CSeq => SipCSeq.Parse(Required(HeaderNames.CSeq));

    public int? MaxForwards => Headers.Get(HeaderNames.MaxForwards) is { } value
        ? int.Parse(value, NumberStyles.None, CultureInfo.InvariantCulture)
        : null;

    /// <summary>Contact values; empty for none and for "*".</summary>
    public IReadOnlyList<SipNameAddress> Contacts => AddressList(HeaderNames.Contact);

    public IReadOnlyList<SipNameAddress> RecordRoutes => AddressList(HeaderNames.RecordRoute);

    public IReadOnlyList<SipNameAddress> Routes => AddressList(HeaderNames.Route);

    public string? ContentType => Headers.Get(HeaderNames.ContentType);

    /// <summary>The message as it goes on the wire, Content-Length written from the body.</summary>
    public byte[] ToBytes()
    {
        var text = new StringBuilder(256 + Headers.Count * 48);
        text.Append(StartLine).Append("\r\n");
        foreach (var header in Headers)
        {
            if (header.Name != HeaderNames.ContentLength)
            {
                text.Append(header.Name).Append(": ").Append(header.Value).Append("\r\n");
            }
        }
        text.Append("Content-Length: ").Append(Body.Length.ToString(CultureInfo.InvariantCulture)).Append("\r\n\r\n");
        var head = Encoding.UTF8.GetByteCount(text.ToString());
        var bytes = new byte[head + Body.Length];
        Encoding.UTF8.GetBytes(text.ToString(), bytes);
        Body.CopyTo(bytes, head);
        return bytes;
    }

    public override string ToString() => Encoding.UTF8.GetString(ToBytes());

    private string Required(string name) => Headers.Get(name) ?? throw new SipFormatException($"{name} is missing");

    private List<SipNameAddress> AddressList(string name) =>
        [.. Headers.GetValues(name).Where(v => v != "*").Select(v => SipNameAddress.Parse(v))];
}
