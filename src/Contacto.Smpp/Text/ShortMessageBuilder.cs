using Contacto.Smpp.Protocol;

namespace Contacto.Smpp.Text;

/// <summary>
/// Turns a text into submit_sm (or, for an SMSC, deliver_sm) PDUs for one carrier: alphabet,
/// packing, and parts joined by a user data header, SAR TLVs or one message_payload, never a
/// header and SAR together.
/// </summary>
public static class ShortMessageBuilder
{
    public static IReadOnlyList<SubmitSm> BuildSubmits(OutboundText message, TextProfile profile, ConcatenationReferences references) =>
        Build<SubmitSm>(message, profile, references);

    public static IReadOnlyList<TPdu> Build<TPdu>(OutboundText message, TextProfile profile, ConcatenationReferences references)
        where TPdu : ShortMessagePdu, new()
    {
        var plan = SmsPlanner.Plan(message.Text, profile);
        if (profile.Concatenation == ConcatenationMode.MessagePayload && plan.SegmentCount > 1)
        {
            var whole = New<TPdu>(message, plan);
            whole.Tlvs.Set(TlvTag.MessagePayload, Body(message.Text, plan.Alphabet, profile, headerOctets: 0));
            return [whole];
        }
        var reference = plan.SegmentCount > 1 ? references.Next(profile.Concatenation) : (ushort)0;
        var pdus = new List<TPdu>(plan.SegmentCount);
        for (var i = 0; i < plan.SegmentCount; i++)
        {
            var pdu = New<TPdu>(message, plan);
            var sequence = i + 1;
            if (plan.SegmentCount == 1)
            {
                pdu.ShortMessage = Body(plan.Parts[i], plan.Alphabet, profile, headerOctets: 0);
            }
            else if (profile.Concatenation == ConcatenationMode.SarTlvs)
            {
                pdu.ShortMessage = Body(plan.Parts[i], plan.Alphabet, profile, headerOctets: 0);
                pdu.Tlvs.SetUInt16(TlvTag.SarMessageReferenceNumber, reference);
                pdu.Tlvs.SetByte(TlvTag.SarTotalSegments, (byte)plan.SegmentCount);
                pdu.Tlvs.SetByte(TlvTag.SarSegmentSequenceNumber, (byte)sequence);
            }
            else
            {
                var header = UserDataHeader.Concatenation(
                    reference, plan.SegmentCount, sequence, profile.Concatenation == ConcatenationMode.Udh16BitReference);
                pdu.EsmClass |= ShortMessagePdu.EsmClassUdhi;
                pdu.ShortMessage = [.. header, .. Body(plan.Parts[i], plan.Alphabet, profile, header.Length)];
            }
            pdus.Add(pdu);
        }
        return pdus;
    }

    private static TPdu New<TPdu>(OutboundText message, SmsPlan plan)
        where TPdu : ShortMessagePdu, new() => new()
    {
        ServiceType = message.ServiceType,
        Source = message.Source,
        Destination = message.Destination,
        RegisteredDelivery = message.RegisteredDelivery,
        ValidityPeriod = message.ValidityPeriod,
        DataCoding = plan.DataCoding,
    };

    private static byte[] Body(string text, SmsAlphabet alphabet, TextProfile profile, int headerOctets)
    {
        var encoded = SmsPlanner.Encode(text, alphabet);
        return alphabet == SmsAlphabet.Gsm7 && profile.PackGsm7
            ? Gsm7Packing.Pack(encoded, Gsm7Packing.FillBitsAfterHeader(headerOctets))
            : encoded;
    }
}
