using System.Globalization;
using System.Net;
using System.Security.Cryptography;
using Contacto.Media.Codecs;
using Contacto.Media.Srtp;

namespace Contacto.Media.Sdp;

/// <summary>
/// Offer/answer (RFC 3264) for one call leg's audio: makes offers (first, hold, resume) and
/// answers, and turns each completed exchange into a <see cref="NegotiatedMedia"/>. Keeps the
/// leg's origin line (the version goes up with every description it writes after the first)
/// and its SRTP keys, one per suite for the life of the dialog.
/// </summary>
public sealed class SdpNegotiator
{
    private const string TelephoneEvent = "telephone-event";
    private readonly MediaCapabilities _capabilities;
    private readonly IPAddress _address;
    private readonly int _rtpPort;
    private readonly int _rtcpPort;
    private readonly string _username;
    private readonly ulong _sessionId = (ulong)RandomNumberGenerator.GetInt32(1, int.MaxValue);
    private readonly Dictionary<SrtpSuite, SrtpKeyMaterial> _keys = [];
    private ulong _version;
    private bool _wroteAny;
    private PendingOffer? _pending;

    public SdpNegotiator(MediaCapabilities capabilities, IPAddress address, int rtpPort, int? rtcpPort = null, string username = "-")
    {
        if (capabilities.Encodings.Count == 0)
        {
            throw new ArgumentException("At least one encoding is needed.", nameof(capabilities));
        }
        if (!MediaCapabilities.IsSupportedPtime(capabilities.PtimeMilliseconds))
        {
            throw new ArgumentException("ptime must be 10, 20 or 30 ms.", nameof(capabilities));
        }
        _capabilities = capabilities;
        _address = address;
        _rtpPort = rtpPort;
        _rtcpPort = rtcpPort ?? rtpPort + 1;
        _username = username;
        _version = _sessionId;
    }

    /// <summary>
    /// An offer: <see cref="MediaDirection.SendRecv"/> to start or resume a call,
    /// <see cref="MediaDirection.SendOnly"/> (or Inactive) to put the peer on hold.
    /// </summary>
    public SessionDescription CreateOffer(MediaDirection direction = MediaDirection.SendRecv)
    {
        var secure = _capabilities.Srtp == SrtpPolicy.Required;
        var media = new MediaDescription { Port = _rtpPort, Protocol = secure ? "RTP/SAVP" : "RTP/AVP" };
        var cryptos = new List<SdpCrypto>();
        foreach (var encoding in _capabilities.Encodings)
        {
            media.Formats.Add(Pt(encoding.StaticPayloadType()));
            media.Attributes.Add(new SdpAttribute("rtpmap", new SdpRtpMap(encoding.StaticPayloadType(), encoding.SdpName(), AudioEncodings.ClockRate, 1).ToString()));
        }
        if (_capabilities.TelephoneEventPayloadType is { } te)
        {
            AddTelephoneEvent(media, te, "0-16");
        }
        if (secure)
        {
            var tag = 1;
            foreach (var suite in _capabilities.SrtpSuites)
            {
                cryptos.Add(new SdpCrypto(tag++, KeyFor(suite)));
            }
        }
        AddCommonAttributes(media, direction, cryptos);
        _pending = new PendingOffer(direction, secure, cryptos);
        return Describe(media);
    }

    /// <summary>Completes the exchange this side's last offer opened.</summary>
    /// <exception cref="SdpNegotiationException">The answer rejects the audio stream or breaks the offer.</exception>
    public NegotiatedMedia AcceptAnswer(SessionDescription answer)
    {
        var offer = _pending ?? throw new InvalidOperationException("No offer is waiting for an answer.");
        _pending = null;
        var media = answer.Media.FirstOrDefault()
            ?? throw new SdpNegotiationException("The answer has no media description.");
        if (!media.IsAudio || media.Port == 0)
        {
            throw new SdpNegotiationException("The answer rejects the audio stream.");
        }
        if (media.IsSecureRtp != offer.Secure)
        {
            throw new SdpNegotiationException("The answer changes the transport protocol of the offer.");
        }
        var chosen = media.Formats.Select(f => Known(media, f)).FirstOrDefault(c => c is { } k && _capabilities.Encodings.Contains(k.Encoding))
            ?? throw new SdpNegotiationException("The answer names no encoding of the offer.");
        SrtpKeyMaterial? send = null, receive = null;
        if (offer.Secure)
        {
            var crypto = Cryptos(media).FirstOrDefault(c => offer.Cryptos.Any(o => o.Tag == c.Tag && o.Key.Suite == c.Key.Suite))
                ?? throw new SdpNegotiationException("The answer accepts none of the offered crypto suites.");
            send = offer.Cryptos.First(o => o.Tag == crypto.Tag).Key;
            receive = crypto.Key;
        }
        var theirs = MediaDirections.Of(answer, media);
        var direction = MediaDirections.From(offer.Direction.Sends() && theirs.Receives(), offer.Direction.Receives() && theirs.Sends());
        return Negotiated(answer, media, chosen, direction, send, receive, theirs);
    }

    /// <summary>Answers an offer (first or re-INVITE), accepting its first usable audio stream.</summary>
    /// <param name="direction">What this side wants: SendRecv normally, SendOnly while it holds the peer.</param>
    /// <exception cref="SdpNegotiationException">Nothing in the offer is acceptable (488).</exception>
    public (SessionDescription Answer, NegotiatedMedia Media) Answer(SessionDescription offer, MediaDirection direction = MediaDirection.SendRecv)
    {
        _pending = null;
        string? reason = null;
        MediaDescription? accepted = null;
        NegotiatedMedia? negotiated = null;
        var answerMedia = new List<MediaDescription>();
        foreach (var media in offer.Media)
        {
            if (accepted is null && TryAccept(offer, media, direction, out var answer, out var result, ref reason))
            {
                accepted = media;
                negotiated = result;
                answerMedia.Add(answer);
            }
            else
            {
                answerMedia.Add(Rejected(media));
            }
        }
        if (negotiated is null)
        {
            throw new SdpNegotiationException(reason ?? "The offer has no audio stream.");
        }
        var description = Describe(answerMedia[0]);
        description.Media.Clear();
        description.Media.AddRange(answerMedia);
        return (description, negotiated);
    }

    private bool TryAccept(SessionDescription offer, MediaDescription media, MediaDirection local,
        out MediaDescription answer, out NegotiatedMedia negotiated, ref string? reason)
    {
        answer = null!;
        negotiated = null!;
        if (!media.IsAudio || media.Port == 0)
        {
            return false;
        }
        if (!media.IsRtp)
        {
            reason = "The audio stream is not RTP/AVP or RTP/SAVP.";
            return false;
        }
        if (media.IsSecureRtp ? _capabilities.Srtp == SrtpPolicy.Off : _capabilities.Srtp == SrtpPolicy.Required)
        {
            reason = media.IsSecureRtp ? "SRTP was offered and this leg does not take it." : "This leg requires SRTP and the offer is plain RTP.";
            return false;
        }
        var chosen = media.Formats.Select(f => Known(media, f)).FirstOrDefault(c => c is { } k && _capabilities.Encodings.Contains(k.Encoding));
        if (chosen is null)
        {
            reason = "The offer has no encoding in common (PCMU, PCMA).";
            return false;
        }
        SrtpKeyMaterial? send = null, receive = null;
        var cryptos = new List<SdpCrypto>();
        if (media.IsSecureRtp)
        {
            var crypto = Cryptos(media).FirstOrDefault(c => _capabilities.SrtpSuites.Contains(c.Key.Suite));
            if (crypto is null)
            {
                reason = "The offer has no usable crypto attribute (AES_CM_128_HMAC_SHA1_80 or _32, inline key, no MKI).";
                return false;
            }
            receive = crypto.Key;
            send = KeyFor(crypto.Key.Suite);
            cryptos.Add(new SdpCrypto(crypto.Tag, send));
        }
        var theirs = MediaDirections.Of(offer, media);
        var direction = MediaDirections.From(local.Sends() && theirs.Receives(), local.Receives() && theirs.Sends());
        negotiated = Negotiated(offer, media, chosen.Value, direction, send, receive, theirs);

        answer = new MediaDescription { Port = _rtpPort, Protocol = media.Protocol };
        answer.Formats.Add(Pt(chosen.Value.PayloadType));
        answer.Attributes.Add(new SdpAttribute("rtpmap", new SdpRtpMap(chosen.Value.PayloadType, chosen.Value.Encoding.SdpName(), AudioEncodings.ClockRate, 1).ToString()));
        if (negotiated.TelephoneEventPayloadType is { } te && _capabilities.TelephoneEventPayloadType is not null)
        {
            var events = media.AttributesNamed("fmtp").Select(a => a.Value ?? "").FirstOrDefault(v => v.StartsWith(Pt(te) + " ", StringComparison.Ordinal));
            AddTelephoneEvent(answer, te, events is null ? "0-16" : events[(Pt(te).Length + 1)..]);
        }
        else
        {
            negotiated = negotiated with { TelephoneEventPayloadType = null };
        }
        AddCommonAttributes(answer, direction, cryptos);
        return true;
    }

    private NegotiatedMedia Negotiated(SessionDescription sdp, MediaDescription media, (AudioEncoding Encoding, int PayloadType) chosen,
        MediaDirection direction, SrtpKeyMaterial? send, SrtpKeyMaterial? receive, MediaDirection theirs)
    {
        var connection = media.Connection ?? sdp.Connection;
        IPEndPoint? rtp = null, rtcp = null;
        if (connection is not null && !connection.IsUnspecified)
        {
            var ip = connection.Ip ?? throw new SdpNegotiationException("The connection address must be an IP literal.");
            rtp = new IPEndPoint(ip, media.Port);
            var rtcpAttribute = media.Rtcp;
            var rtcpIp = rtcpAttribute?.Connection?.Ip ?? ip;
            rtcp = new IPEndPoint(rtcpIp, rtcpAttribute?.Port ?? Math.Min(media.Port + 1, 65535));
        }
        int? telephoneEvent = null;
        foreach (var format in media.Formats)
        {
            if (media.RtpMap(format) is { } map && map.Names(TelephoneEvent, AudioEncodings.ClockRate))
            {
                telephoneEvent = map.PayloadType;
                break;
            }
        }
        return new NegotiatedMedia
        {
            Encoding = chosen.Encoding,
            PayloadType = chosen.PayloadType,
            TelephoneEventPayloadType = telephoneEvent,
            SendPtimeMilliseconds = SendPtime(media),
            Direction = direction,
            RemoteRtp = rtp,
            RemoteRtcp = rtcp,
            SendKey = send,
            ReceiveKey = receive,
            RemoteHold = !theirs.Receives() || rtp is null,
        };
    }

    private static int SendPtime(MediaDescription media)
    {
        var max = media.MaxPtime ?? int.MaxValue;
        if (media.Ptime is { } ptime && MediaCapabilities.IsSupportedPtime(ptime) && ptime <= max)
        {
            return ptime;
        }
        return max >= 20 ? 20 : 10;
    }

    private static (AudioEncoding Encoding, int PayloadType)? Known(MediaDescription media, string format)
    {
        var map = media.RtpMap(format);
        if (map is null)
        {
            return null;
        }
        if (map.Names("PCMU", AudioEncodings.ClockRate))
        {
            return (AudioEncoding.Pcmu, map.PayloadType);
        }
        if (map.Names("PCMA", AudioEncodings.ClockRate))
        {
            return (AudioEncoding.Pcma, map.PayloadType);
        }
        return null;
    }

    private static IEnumerable<SdpCrypto> Cryptos(MediaDescription media)
    {
        foreach (var attribute in media.AttributesNamed("crypto"))
        {
            if (SdpCrypto.TryParse(attribute.Value, out var crypto))
            {
                yield return crypto;
            }
        }
    }

    private static MediaDescription Rejected(MediaDescription offered)
    {
        var rejected = new MediaDescription { MediaType = offered.MediaType, Port = 0, Protocol = offered.Protocol };
        rejected.Formats.Add(offered.Formats[0]);
        return rejected;
    }

    private void AddTelephoneEvent(MediaDescription media, int payloadType, string events)
    {
        media.Formats.Add(Pt(payloadType));
        media.Attributes.Add(new SdpAttribute("rtpmap", $"{Pt(payloadType)} {TelephoneEvent}/{AudioEncodings.ClockRate}"));
        media.Attributes.Add(new SdpAttribute("fmtp", $"{Pt(payloadType)} {events}"));
    }

    private void AddCommonAttributes(MediaDescription media, MediaDirection direction, List<SdpCrypto> cryptos)
    {
        media.Attributes.Add(new SdpAttribute("ptime", Pt(_capabilities.PtimeMilliseconds)));
        media.Attributes.Add(new SdpAttribute("maxptime", "30"));
        media.Attributes.Add(new SdpAttribute("rtcp", Pt(_rtcpPort)));
        media.Attributes.Add(new SdpAttribute(direction.SdpName()));
        media.Attributes.AddRange(cryptos.Select(c => c.ToAttribute()));
    }

    private SessionDescription Describe(MediaDescription media)
    {
        if (_wroteAny)
        {
            _version++;
        }
        _wroteAny = true;
        var connection = SdpConnection.Of(_address);
        var sdp = new SessionDescription
        {
            Origin = new SdpOrigin(_username, _sessionId, _version, connection),
            SessionName = "Contacto",
            Connection = connection,
        };
        sdp.Timings.Add("0 0");
        sdp.Media.Add(media);
        return sdp;
    }

    private SrtpKeyMaterial KeyFor(SrtpSuite suite)
    {
        if (!_keys.TryGetValue(suite, out var key))
        {
            key = SrtpKeyMaterial.Generate(suite);
            _keys[suite] = key;
        }
        return key;
    }

    private static string Pt(int value) => value.ToString(CultureInfo.InvariantCulture);

    private sealed record PendingOffer(MediaDirection Direction, bool Secure, List<SdpCrypto> Cryptos);
}
