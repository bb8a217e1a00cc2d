namespace Contacto.Carriers.Sip;

/// <summary>SIP's status codes in the platform's terms, both ways.</summary>
internal static class SipCodes
{
    /// <summary>Why a call was not answered.</summary>
    public static CarrierError ErrorOf(int status) => status switch
    {
        486 or 600 => CarrierError.Busy,
        603 => CarrierError.Declined,
        404 or 410 or 484 or 485 or 604 => CarrierError.InvalidDestination,
        401 or 403 or 407 => CarrierError.Prohibited,
        480 or 408 => CarrierError.TemporarilyUnavailable,
        487 => CarrierError.Cancelled,
        488 or 606 => CarrierError.MediaNotAcceptable,
        >= 500 and < 600 => CarrierError.NetworkError,
        _ => CarrierError.Unknown,
    };

    /// <summary>The final response that refuses a call for this reason.</summary>
    public static int StatusOf(CarrierError error) => error switch
    {
        CarrierError.Busy => 486,
        CarrierError.Declined => 603,
        CarrierError.InvalidDestination => 404,
        CarrierError.InvalidSource or CarrierError.Prohibited => 403,
        CarrierError.PermanentlyUnavailable => 410,
        CarrierError.MediaNotAcceptable => 488,
        CarrierError.Cancelled => 487,
        CarrierError.NetworkError => 503,
        _ => 480,
    };
}
