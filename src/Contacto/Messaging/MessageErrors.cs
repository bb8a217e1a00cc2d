using Contacto.Carriers;

namespace Contacto.Messaging;

/// <summary>Plivo's message error codes, as <c>error_code</c> carries them, and what causes each here.</summary>
internal static class MessageErrors
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

    /// <summary>A carrier's refusal, or why a delivery failed.</summary>
    public static string For(CarrierError error) => error switch
    {
        CarrierError.InvalidDestination => InvalidDestination,
        CarrierError.InvalidSource => InvalidSource,
        CarrierError.NetworkError => NetworkError,
        CarrierError.Prohibited => ProhibitedByCarrier,
        CarrierError.PermanentlyUnavailable => PermanentlyUnavailable,
        CarrierError.TemporarilyUnavailable => TemporarilyUnavailable,
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
