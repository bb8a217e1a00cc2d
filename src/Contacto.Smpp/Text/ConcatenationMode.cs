namespace Contacto.Smpp.Text;

/// <summary>How a long message is sent in parts; carriers support different ones.</summary>
public enum ConcatenationMode
{
    /// <summary>User data header, IE 0x00 with an 8-bit reference (UDHL 05). The most common.</summary>
    Udh8BitReference,

    /// <summary>User data header, IE 0x08 with a 16-bit reference (UDHL 06): fewer clashes at volume.</summary>
    Udh16BitReference,

    /// <summary>sar_msg_ref_num, sar_total_segments, sar_segment_seqnum TLVs, no header.</summary>
    SarTlvs,

    /// <summary>The whole text in one message_payload TLV; the SMSC splits it.</summary>
    MessagePayload,
}
