using Contacto.Smpp.Protocol;
using Contacto.Smpp.Receipts;
using Contacto.Smpp.Text;

namespace Contacto.Smpp.Client;

/// <summary>A deliver_sm or data_sm from the SMSC: a mobile-originated message or a delivery receipt.</summary>
public sealed class InboundMessage
{
    public InboundMessage(string bindName, Pdu pdu, TextProfile profile)
    {
        BindName = bindName;
        Pdu = pdu;
        if (DeliveryReceiptParser.TryParse(pdu, out var receipt))
        {
            Receipt = receipt;
        }
        else
        {
            Content = SmsTextDecoder.Decode(pdu, profile);
        }
    }

    /// <summary>The bind it came on: receipts are matched by (carrier bind, message id).</summary>
    public string BindName { get; }

    /// <summary>The <see cref="DeliverSm"/> or <see cref="DataSm"/> as received.</summary>
    public Pdu Pdu { get; }

    /// <summary>Set when esm_class marks a delivery receipt.</summary>
    public DeliveryReceipt? Receipt { get; }

    /// <summary>The text of a mobile-originated message (null text when binary); null for receipts.</summary>
    public DecodedText? Content { get; }

    public bool IsReceipt => Receipt is not null;

    public SmeAddress Source => Pdu switch
    {
        ShortMessagePdu sm => sm.Source,
        DataSm data => data.Source,
        _ => SmeAddress.Empty,
    };

    public SmeAddress Destination => Pdu switch
    {
        ShortMessagePdu sm => sm.Destination,
        DataSm data => data.Destination,
        _ => SmeAddress.Empty,
    };
}
