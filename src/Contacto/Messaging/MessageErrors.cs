using Contacto.Smpp.Protocol;

namespace Contacto.Messaging;

/// <summary>Plivo's message error codes, as <c>error_code</c> carries them, and what causes each here.</summary>
public static class MessageErrors
{
    public const string None = "000";
    public const string NetworkError = "20";
    public const string InvalidSource = "40";
    public const string InvalidDestination = "50";
    public const string PermanentlyUnavailable = "70";
    public const string TemporarilyUnavailable = "80";
    public const string NoRoute = "90";
    public const string ProhibitedByCarrier = "100";
    public const string Unknown = "1000";

    /// <summary>A carrier's refusal of a submit.</summary>
    public static string ForRefusal(CommandStatus status) => status switch
    {
        CommandStatus.InvalidDestinationAddress => InvalidDestination,
        CommandStatus.InvalidSourceAddress => InvalidSource,
        CommandStatus.SubmitFailed => NetworkError,
        _ => ProhibitedByCarrier,
    };

    /// <summary>A final receipt that is not a delivery.</summary>
    public static string ForReceipt(MessageState state) => state switch
    {
        MessageState.Expired => TemporarilyUnavailable,
        MessageState.Undeliverable => PermanentlyUnavailable,
        MessageState.Rejected => ProhibitedByCarrier,
        _ => Unknown,
    };

    public static string? Describe(string? code) => code switch
    {
        null => null,
        None => null,
        NetworkError => "Network error",
        InvalidSource => "Invalid source number",
        InvalidDestination => "Invalid destination number",
        PermanentlyUnavailable => "Destination permanently unavailable",
        TemporarilyUnavailable => "Destination temporarily unavailable",
        NoRoute => "No route available",
        ProhibitedByCarrier => "Prohibited by carrier",
        _ => "Unknown error",
    };
}
