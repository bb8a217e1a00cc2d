using Contacto.Smpp.Protocol;

namespace Contacto.Smpp.Text;

/// <summary>
/// Turns a text into the submit_sm PDUs for one carrier: alphabet, packing, and parts joined by
/// a user data header, SAR TLVs or one message_payload, never a header and SAR together.
/// </summary>
public static class SubmitSmBuilder
{
    public static IReadOnlyList<SubmitSm> Build(OutboundText message, TextProfile profile, ConcatenationReferences references)
    {
        var plan = SmsPlanner.Plan(message.Text, profile);
        if (profile.Concatenation == ConcatenationMode.MessagePayload && plan.SegmentCount > 1)
        {
            var whole = NewSubmit(message, plan);
            whole.Tlvs.Set(TlvTag.MessagePayload, Body(message.Text, plan.Alphabet, profile, headerOctets: 0));
            return [whole];
        }
        var reference = plan.SegmentCount > 1 ? references.Next(profile.Concatenation) : (ushort)0;
        var submits = new List<SubmitSm>(plan.SegmentCount);
        for (var i = 0; i < plan.SegmentCount; i++)
        {
            var submit = NewSubmit(message, plan);
            var sequence = i + 1;
            if (plan.SegmentCount == 1)
            {
                submit.ShortMessage = Body(plan.Parts[i], plan.Alphabet, profile, headerOctets: 0);
            }
            else if (profile.Concatenation == ConcatenationMode.SarTlvs)
            {
                submit.ShortMessage = Body(plan.Parts[i], plan.Alphabet, profile, headerOctets: 0);
                submit.Tlvs.SetUInt16(TlvTag.SarMessageReferenceNumber, reference);
                submit.Tlvs.SetByte(TlvTag.SarTotalSegments, (byte)plan.SegmentCount);
                submit.Tlvs.SetByte(TlvTag.SarSegmentSequenceNumber, (byte)sequence);
            }
            else
            {
                var header = UserDataHeader.Concatenation(
                    reference, plan.SegmentCount, sequence, profile.Concatenation == ConcatenationMode.Udh16BitReference);
                submit.EsmClass |= ShortMessagePdu.EsmClassUdhi;
                submit.ShortMessage = [.. header, .. Body(plan.Parts[i], plan.Alphabet, profile, header.Length)];
            }
            submits.Add(submit);
        }
        return submits;
    }

    private static SubmitSm NewSubmit(OutboundText message, SmsPlan plan) => new()
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
