namespace Contacto.Smpp.Receipts;

/// <summary>How one carrier writes ids in submit_sm_resp and in its receipts.</summary>
public sealed record MessageIdFormats(MessageIdFormat SubmitResponse, MessageIdFormat Receipt)
{
    public static MessageIdFormats Opaque { get; } = new(MessageIdFormat.Opaque, MessageIdFormat.Opaque);
}
