using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using Contacto.Smpp.Protocol;

namespace Contacto.Smpp.Receipts;

/// <summary>
/// Reads delivery receipts. The text format is only an informative appendix of SMPP 3.4, so
/// it is scanned key by key: any case, fields missing or added, dates with or without
/// seconds. TLVs (receipted_message_id, message_state, network_error_code) win over the text.
/// </summary>
public static partial class DeliveryReceiptParser
{
    private const int MaxScannedLength = 1024;

    /// <summary>Parses a deliver_sm or data_sm marked as a receipt by esm_class; false for anything else.</summary>
    public static bool TryParse(Pdu pdu, out DeliveryReceipt receipt)
    {
        receipt = null!;
        var (isReceipt, text, tlvs) = pdu switch
        {
            DeliverSm deliver => (deliver.IsDeliveryReceipt, ReceiptText(deliver.ShortMessage, deliver.Tlvs), deliver.Tlvs),
            DataSm data => ((data.EsmClass & 0x3C) is DeliverSm.EsmClassDeliveryReceipt or DeliverSm.EsmClassIntermediateNotification,
                ReceiptText([], data.Tlvs), data.Tlvs),
            _ => (false, string.Empty, new TlvCollection()),
        };
        if (!isReceipt)
        {
            return false;
        }
        var fields = ParseText(text);
        var id = tlvs.GetCString(TlvTag.ReceiptedMessageId) ?? fields.GetValueOrDefault("id");
        if (string.IsNullOrEmpty(id))
        {
            return false;
        }
        var stat = fields.GetValueOrDefault("stat");
        var state = tlvs.GetByte(TlvTag.MessageState) is { } fromTlv && Enum.IsDefined((MessageState)fromTlv)
            ? (MessageState)fromTlv
            : ReceiptStates.FromStat(stat);
        receipt = new DeliveryReceipt(id, state)
        {
            Submitted = ParseCount(fields.GetValueOrDefault("sub")),
            Delivered = ParseCount(fields.GetValueOrDefault("dlvrd")),
            SubmitDate = ParseDate(fields.GetValueOrDefault("submit date")),
            DoneDate = ParseDate(fields.GetValueOrDefault("done date")),
            Error = fields.GetValueOrDefault("err"),
            NetworkError = NetworkError(tlvs),
            Text = fields.GetValueOrDefault("text"),
            StatText = stat,
        };
        return true;
    }

    /// <summary>The key:value fields of a receipt text, keys lower-cased with "_" read as a space.</summary>
    public static Dictionary<string, string> ParseText(string text)
    {
        var fields = new Dictionary<string, string>();
        var matches = ReceiptKey().Matches(text);
        for (var i = 0; i < matches.Count; i++)
        {
            var key = matches[i].Groups["key"].Value.ToLowerInvariant().Replace('_', ' ');
            var valueStart = matches[i].Index + matches[i].Length;
            var value = key == "text"
                ? text[valueStart..]
                : FirstToken(text, valueStart, i + 1 < matches.Count ? matches[i + 1].Index : text.Length);
            fields.TryAdd(key, value.Trim());
            if (key == "text")
            {
                break;
            }
        }
        return fields;
    }

    private static string FirstToken(string text, int start, int end)
    {
        var span = text.AsSpan(start, end - start).TrimStart();
        var space = span.IndexOfAny(' ', '\t', '\n');
        return (space < 0 ? span : span[..space]).ToString();
    }

    private static string ReceiptText(byte[] shortMessage, TlvCollection tlvs)
    {
        var bytes = shortMessage.Length == 0 && tlvs.TryGet(TlvTag.MessagePayload, out var payload) ? payload : shortMessage;
        return Encoding.Latin1.GetString(bytes, 0, Math.Min(bytes.Length, MaxScannedLength));
    }

    private static int? ParseCount(string? value) =>
        int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var count) ? count : null;

    private static DateTime? ParseDate(string? value) =>
        DateTime.TryParseExact(value, ["yyMMddHHmm", "yyMMddHHmmss", "yyyyMMddHHmmss", "yyyyMMddHHmm"],
            CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal, out var date)
            ? date
            : null;

    private static (byte, ushort)? NetworkError(TlvCollection tlvs) =>
        tlvs.TryGet(TlvTag.NetworkErrorCode, out var value) && value.Length == 3
            ? (value[0], (ushort)(value[1] << 8 | value[2]))
            : null;

    [GeneratedRegex(@"(?<=^|[\s,;])(?<key>id|sub|dlvrd|submit[ _]date|done[ _]date|stat|err|text)\s*:", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex ReceiptKey();
}
