using Contacto.Smpp.Protocol;

namespace Contacto.Smpp.Receipts;

/// <summary>Maps the stat word of a receipt to a <see cref="MessageState"/>, any case, short or long forms.</summary>
public static class ReceiptStates
{
    private static readonly Dictionary<string, MessageState> ByWord = new(StringComparer.OrdinalIgnoreCase)
    {
        ["DELIVRD"] = MessageState.Delivered,
        ["DELIVERED"] = MessageState.Delivered,
        ["EXPIRED"] = MessageState.Expired,
        ["DELETED"] = MessageState.Deleted,
        ["UNDELIV"] = MessageState.Undeliverable,
        ["UNDELIVERABLE"] = MessageState.Undeliverable,
        ["ACCEPTD"] = MessageState.Accepted,
        ["ACCEPTED"] = MessageState.Accepted,
        ["UNKNOWN"] = MessageState.Unknown,
        ["REJECTD"] = MessageState.Rejected,
        ["REJECTED"] = MessageState.Rejected,
        ["ENROUTE"] = MessageState.Enroute,
    };

    public static MessageState FromStat(string? stat) =>
        stat is not null && ByWord.TryGetValue(stat.Trim(), out var state) ? state : MessageState.Unknown;

    /// <summary>The receipt word for a state, as SMPP 3.4 appendix B writes it.</summary>
    public static string ToStat(MessageState state) => state switch
    {
        MessageState.Delivered => "DELIVRD",
        MessageState.Expired => "EXPIRED",
        MessageState.Deleted => "DELETED",
        MessageState.Undeliverable => "UNDELIV",
        MessageState.Accepted => "ACCEPTD",
        MessageState.Rejected => "REJECTD",
        MessageState.Enroute => "ENROUTE",
        _ => "UNKNOWN",
    };
}
