using Contacto.Smpp.Protocol;

namespace Contacto.Smpp.Text;

/// <summary>
/// Reads the text of an inbound deliver_sm or data_sm: skips a user data header, unpacks GSM
/// when the carrier packs, and reports concatenation from the header or SAR TLVs. Binary and
/// unknown codings give null text, never an exception.
/// </summary>
public static class SmsTextDecoder
{
    public static DecodedText Decode(Pdu pdu, TextProfile profile)
    {
        var (dataCoding, hasHeader, content, tlvs) = pdu switch
        {
            ShortMessagePdu sm => (sm.DataCoding, sm.HasUserDataHeader, Content(sm.ShortMessage, sm.Tlvs), sm.Tlvs),
            DataSm data => (data.DataCoding, (data.EsmClass & ShortMessagePdu.EsmClassUdhi) != 0, Content([], data.Tlvs), data.Tlvs),
            _ => throw new ArgumentException($"{pdu.CommandId} carries no text.", nameof(pdu)),
        };
        var concatenation = SarConcatenation(tlvs);
        var headerLength = 0;
        if (hasHeader)
        {
            headerLength = UserDataHeader.Length(content);
            if (headerLength < 0)
            {
                return new DecodedText(null, null);
            }
            if (UserDataHeader.TryReadConcatenation(content, out var fromHeader))
            {
                concatenation = fromHeader;
            }
        }
        var alphabet = DataCodings.AlphabetOf(dataCoding, profile.SmscDefaultAlphabet);
        var body = content[headerLength..];
        var text = alphabet switch
        {
            SmsAlphabet.Gsm7 when profile.PackGsm7 =>
                Gsm7Alphabet.DecodeUnpacked(Gsm7Packing.Unpack(body, Gsm7Packing.FillBitsAfterHeader(headerLength))),
            SmsAlphabet.Gsm7 => Gsm7Alphabet.DecodeUnpacked(body),
            SmsAlphabet.Latin1 => System.Text.Encoding.Latin1.GetString(body),
            SmsAlphabet.Ascii => System.Text.Encoding.ASCII.GetString(body),
            SmsAlphabet.Ucs2 => System.Text.Encoding.BigEndianUnicode.GetString(body),
            _ => null,
        };
        return new DecodedText(text, concatenation);
    }

    private static byte[] Content(byte[] shortMessage, TlvCollection tlvs) =>
        shortMessage.Length == 0 && tlvs.TryGet(TlvTag.MessagePayload, out var payload) ? payload : shortMessage;

    private static ConcatenationInfo? SarConcatenation(TlvCollection tlvs) =>
        tlvs.GetUInt16(TlvTag.SarMessageReferenceNumber) is { } reference
        && tlvs.GetByte(TlvTag.SarTotalSegments) is { } total
        && tlvs.GetByte(TlvTag.SarSegmentSequenceNumber) is { } sequence
            ? new ConcatenationInfo(reference, total, sequence)
            : null;
}
