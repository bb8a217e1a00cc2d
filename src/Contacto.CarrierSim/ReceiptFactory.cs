using System.Globalization;
using System.Text;
using Contacto.Smpp.Protocol;
using Contacto.Smpp.Receipts;
using Contacto.Smpp.Text;

namespace Contacto.CarrierSim;

/// <summary>Builds the deliver_sm receipt for a submit, in the SMPP 3.4 appendix B text plus TLVs.</summary>
internal static class ReceiptFactory
{
    public static DeliverSm Create(SubmitSm submit, string messageId, ReceiptOutcome outcome, DateTimeOffset submitted, DateTimeOffset done)
    {
        var delivered = outcome.State == MessageState.Delivered ? "001" : "000";
        var text = string.Create(CultureInfo.InvariantCulture,
            $"id:{messageId} sub:001 dlvrd:{delivered} submit date:{submitted:yyMMddHHmm} done date:{done:yyMMddHHmm} " +
            $"stat:{ReceiptStates.ToStat(outcome.State)} err:{outcome.Error} text:");
        var receipt = new DeliverSm
        {
            // The receipt flows back: the handset becomes the source.
            Source = submit.Destination,
            Destination = submit.Source,
            EsmClass = DeliverSm.EsmClassDeliveryReceipt,
            DataCoding = DataCodings.SmscDefault,
            ShortMessage = Encoding.ASCII.GetBytes(text),
        };
        receipt.Tlvs.SetCString(TlvTag.ReceiptedMessageId, messageId);
        receipt.Tlvs.SetByte(TlvTag.MessageState, (byte)outcome.State);
        return receipt;
    }

    /// <summary>Whether registered_delivery asks for a receipt with this outcome.</summary>
    public static bool IsWanted(byte registeredDelivery, MessageState state) => (registeredDelivery & 0x03) switch
    {
        SubmitSm.ReceiptOnFinalOutcome => true,
        SubmitSm.ReceiptOnFailure => state != MessageState.Delivered,
        _ => false,
    };
}
